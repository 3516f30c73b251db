using System.Diagnostics;
using CrowdShield.Web.Auth;
using CrowdShield.Web.Components;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrowdShield.Web.Api;

public sealed record Diagnostics(int Circuits, double WorkingSetMb, double ManagedHeapMb, bool Collected);

/// <summary>What an operator of the server (an admin) needs to size it: open dashboard circuits and memory.</summary>
public static class DiagnosticsApi
{
    public static RouteGroupBuilder MapDiagnosticsApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/diagnostics").WithTags("Diagnostics").RequireAuthorization(ApiPolicies.Admin);
        group.MapGet("/", Get);
        return group;
    }

    // collect=true runs a full garbage collection first, so the managed heap is what is really held
    // (for measurements; it pauses the server briefly).
    public static Ok<Diagnostics> Get(bool? collect, CircuitCounter circuits)
    {
        if (collect == true)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        }
        using var process = Process.GetCurrentProcess();
        return TypedResults.Ok(new Diagnostics(circuits.Open, Math.Round(process.WorkingSet64 / 1048576.0, 1),
            Math.Round(GC.GetTotalMemory(forceFullCollection: false) / 1048576.0, 2), collect == true));
    }
}
