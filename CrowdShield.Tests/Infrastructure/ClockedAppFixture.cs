using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CrowdShield.Tests.Infrastructure;

/// <summary>
/// The real app whose clock the test moves: background services (the map flush, the intelligence pass, retention)
/// wait on it, so nothing periodic happens unless the test advances <see cref="Clock"/>. It starts at the real time,
/// so tokens issued by the app stay valid.
/// </summary>
public sealed class ClockedAppFixture : AppFixture
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(Clock));
    }
}
