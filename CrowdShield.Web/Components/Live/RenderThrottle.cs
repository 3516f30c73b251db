namespace CrowdShield.Web.Components.Live;

/// <summary>
/// Coalesces render requests into at most one render per interval: the first request starts the interval, the ones
/// during it ride along, and the render runs at its end. Disposing cancels a render that is still waiting, so a
/// closed widget is not asked to render.
/// </summary>
public sealed class RenderThrottle(TimeSpan interval, TimeProvider time, Func<Task> render) : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private int _scheduled;

    /// <summary>Asks for a render; returns at once.</summary>
    public void Request()
    {
        if (_stop.IsCancellationRequested || Interlocked.Exchange(ref _scheduled, 1) == 1)
        {
            return;
        }
        _ = RenderLaterAsync();
    }

    private async Task RenderLaterAsync()
    {
        try
        {
            await Task.Delay(interval, time, _stop.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        // Requests from here on start the next interval: they may hold news this render does not show.
        Volatile.Write(ref _scheduled, 0);
        try
        {
            await render();
        }
        catch (ObjectDisposedException)
        {
            // The circuit went between the wait and the render: nobody is left to show it to.
        }
    }

    // Cancelled, not disposed: a render still waiting reads the token after this.
    public void Dispose() => _stop.Cancel();
}
