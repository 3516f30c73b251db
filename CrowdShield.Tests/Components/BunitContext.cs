using Bunit;
using MudBlazor.Services;

namespace CrowdShield.Tests.Components;

/// <summary>The MudBlazor recipe for bUnit, shared by every component test.</summary>
public abstract class CrowdShieldBunitContext : BunitContext, IAsyncLifetime
{
    static CrowdShieldBunitContext()
    {
        // bUnit waits 1 s for a render by default. The full suite runs these tests beside real servers and Chromium on
        // two cores, where a widget's throttled render (250 ms on a real clock) once came later than that in CI. A wait
        // still fails when the render never comes; it just no longer fails when the machine is busy.
        DefaultWaitTimeout = TimeSpan.FromSeconds(10);
    }

    protected CrowdShieldBunitContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
    }

    /// <summary>Renders as an interactive server circuit does. Call after registering services: it starts the renderer.</summary>
    protected void UseInteractiveServer() =>
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));

    public Task InitializeAsync() => Task.CompletedTask;

    // MudBlazor's popover service throws on synchronous dispose.
    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();
}
