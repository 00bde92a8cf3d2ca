// SignalR reports a HubException thrown by a hub method as
// "An unexpected error occurred invoking 'Subscribe' on the server. HubException: <message>".
const HUB_EXCEPTION = /HubException: ([\s\S]*)$/;

/**
 * The hub refused a call; `message` is the server's reason, for example `database 'x' is not available`.
 * The connection stays usable.
 */
export class HubError extends Error {
  override readonly name = "HubError";

  constructor(
    message: string,
    /** The hub method that was refused. */
    readonly method: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** @internal Turns SignalR's wrapped HubException into a {@link HubError}; any other error passes unchanged. */
export function toHubError(error: unknown, method: string): unknown {
  if (error instanceof Error) {
    const match = HUB_EXCEPTION.exec(error.message);
    if (match) {
      return new HubError(match[1]!, method, { cause: error });
    }
  }

  return error;
}
