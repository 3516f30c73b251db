using System.Diagnostics;

namespace CrowdShield.Tests.Infrastructure;

/// <summary>The test servers' watcher stops them once the test process is gone, however it ended.</summary>
public sealed class StopWhenGoneTests
{
    [Fact]
    public async Task TheStopCommand_RunsOnceTheWatchedProcessIsKilled_AndNotBefore()
    {
        var marker = Path.Combine(Path.GetTempPath(), $"crowdshield-stopped-{Guid.NewGuid():N}");
        using var watched = Process.Start("sleep", "60");
        try
        {
            ExternalServers.StopWhenGone($"touch {marker}", watched.Id);
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.False(File.Exists(marker), "the stop command ran while the watched process was still there");

            watched.Kill();
            await watched.WaitForExitAsync();

            await Eventually.TrueAsync(() => File.Exists(marker), TimeSpan.FromSeconds(10), "the stop command did not run after the kill");
        }
        finally
        {
            watched.Kill();
            File.Delete(marker);
        }
    }
}
