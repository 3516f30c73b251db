using CrowdShield.Core.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CrowdShield.Tests.Infrastructure;

/// <summary>A real SQLite database in memory for Core tests, alive as long as this object.</summary>
public sealed class TestDatabase : IDbContextFactory<CrowdShieldDb>, IDisposable
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");
    private readonly DbContextOptions<CrowdShieldDb> _options;

    public TestDatabase()
    {
        _connection.Open();
        _options = new DbContextOptionsBuilder<CrowdShieldDb>().UseSqlite(_connection).Options;
        using var db = CreateDbContext();
        db.Database.EnsureCreated();
    }

    public CrowdShieldDb CreateDbContext() => new(_options);

    public void Dispose() => _connection.Dispose();
}
