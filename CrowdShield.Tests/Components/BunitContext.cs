using Bunit;
using MudBlazor.Services;

namespace CrowdShield.Tests.Components;

/// <summary>The MudBlazor recipe for bUnit, shared by every component test.</summary>
public abstract class CrowdShieldBunitContext : BunitContext, IAsyncLifetime
{
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
