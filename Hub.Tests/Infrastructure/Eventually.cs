namespace Hub.Tests.Infrastructure;

/// <summary>Waits for a condition that becomes true asynchronously, failing with a message when it never does.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string because)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {timeout}: {because}");
            }

            await Task.Delay(50);
        }
    }

    public static Task TrueAsync(Func<bool> condition, TimeSpan timeout, string because)
        => TrueAsync(() => Task.FromResult(condition()), timeout, because);
}
