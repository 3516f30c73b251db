using CrowdShield.Core.Diagnostics;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace CrowdShield.Web.Components;

/// <summary>Counts the open Blazor circuits (dashboards, tablets, wall displays) for diagnostics.</summary>
public sealed class CircuitCounter(CrowdShieldMetrics metrics) : CircuitHandler
{
    private int _open;

    public int Open => Volatile.Read(ref _open);

    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _open);
        metrics.CircuitOpened();
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        Interlocked.Decrement(ref _open);
        metrics.CircuitClosed();
        return Task.CompletedTask;
    }
}
