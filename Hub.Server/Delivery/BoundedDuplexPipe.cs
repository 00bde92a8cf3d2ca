using System.IO.Pipelines;

namespace Hub.Server.Delivery;

/// <summary>A connection's transport with its output replaced by a <see cref="BoundedPipeWriter"/>.</summary>
internal sealed class BoundedDuplexPipe(IDuplexPipe transport, BoundedPipeWriter output) : IDuplexPipe
{
    public PipeReader Input => transport.Input;

    public PipeWriter Output => output;
}
