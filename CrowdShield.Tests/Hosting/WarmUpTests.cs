using CrowdShield.Core.Data;
using CrowdShield.Tests.Infrastructure;
using CrowdShield.Web.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrowdShield.Tests.Hosting;

/// <summary>The start-up warm-up stores a report for real and rolls it back, so it must leave nothing behind.</summary>
[Collection(AppCollection.Name)]
public sealed class WarmUpTests(AppFixture app)
{
    [Fact]
    public async Task Warming_up_the_report_path_stores_nothing()
    {
        var dbFactory = app.Services.GetRequiredService<IDbContextFactory<CrowdShieldDb>>();
        await using var db = await dbFactory.CreateDbContextAsync();
        var reports = await db.Reports.CountAsync();

        // Once more on a running node (the fixture's start ran it already): the same rollback, with data around.
        await HotPathWarmUp.RunAsync(app.Services, NullLogger.Instance);

        Assert.Equal(reports, await db.Reports.CountAsync());
        Assert.False(await db.Reports.AnyAsync(r => r.EventId == "warm-up"));
    }
}
