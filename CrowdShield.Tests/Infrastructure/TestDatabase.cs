using CrowdShield.Core.Data;
using CrowdShield.Core.Events;
using CrowdShield.Core.Zones;
using Microsoft.EntityFrameworkCore;

namespace CrowdShield.Tests.Infrastructure;

/// <summary>
/// A real SQLite database file of its own for Core tests, deleted with this object. A file rather than memory so
/// that, as in the app, every context has its own connection and concurrent writers meet SQLite's real locking.
/// </summary>
public sealed class TestDatabase : IDbContextFactory<CrowdShieldDb>, IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "crowdshield-tests", $"{Guid.NewGuid():N}.db");
    private readonly DbContextOptions<CrowdShieldDb> _options;

    public TestDatabase()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _options = new DbContextOptionsBuilder<CrowdShieldDb>()
            .UseSqlite(ConnectionString)
            .Options;
        using var db = CreateDbContext();
        db.Database.EnsureCreated();
        db.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
    }

    public CrowdShieldDb CreateDbContext() => new(_options);

    /// <summary>For a context with options of a test's own (interceptors): the same file, no pooling.</summary>
    public string ConnectionString => $"Data Source={_path};Pooling=False;Default Timeout=30";

    /// <summary>Stores event <paramref name="id"/> ("Fest", centred on 51.5, -0.1) with <paramref name="zones"/>.</summary>
    public async Task AddEventAsync(string id, DateTimeOffset createdAt, params Zone[] zones)
    {
        await using var db = CreateDbContext();
        var entity = new Event { Id = id, Name = "Fest", CenterLat = 51.5, CenterLng = -0.1, CreatedAt = createdAt };
        foreach (var zone in zones)
        {
            entity.Zones.Add(zone);
        }
        db.Events.Add(entity);
        await db.SaveChangesAsync();
    }

    public void Dispose()
    {
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
                // Still open in a closing connection; the temp folder is cleaned by the OS.
            }
        }
    }
}
