using System.Security.Claims;
using CrowdShield.Core;
using CrowdShield.Core.Data;
using CrowdShield.Core.Events;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Users;
using CrowdShield.Core.Zones;
using CrowdShield.Tests.Infrastructure;
using CrowdShield.Web.Auth;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdShield.Tests.Components;

/// <summary>
/// Widgets against the real Core services on an in-memory SQLite database, signed in as an operator of the
/// event "fest", with the real in-process message bus (or a test double where a test needs to drive seq itself).
/// </summary>
public abstract class WidgetTestContext : CrowdShieldBunitContext
{
    public const string EventId = "fest";
    public const string OperatorId = "op";
    public const string OperatorStamp = "stamp-1";

    protected WidgetTestContext(IMessageBus? bus = null)
    {
        using (var db = Db.CreateDbContext())
        {
            db.Events.Add(new Event
            {
                Id = EventId, Name = "Riverside Festival", CenterLat = 51.5, CenterLng = -0.1, CreatedAt = DateTimeOffset.UtcNow,
                Zones =
                {
                    new Zone { Id = "gate-3", EventId = EventId, Name = "Gate 3", AreaM2 = 1000, AlertThreshold = 30,
                        Polygon = [new(51.5, -0.1), new(51.5003, -0.1), new(51.5003, -0.0995), new(51.5, -0.0995)] },
                    new Zone { Id = "stage", EventId = EventId, Name = "Main stage", AreaM2 = 2000, AlertThreshold = 50 },
                },
            });
            db.Users.Add(new User
            {
                Id = OperatorId, Email = "op@tests.local", NormalizedEmail = "OP@TESTS.LOCAL", Name = "Olivia", Role = Roles.Operator, PasswordHash = "x",
                SecurityStamp = OperatorStamp, CreatedAt = DateTimeOffset.UtcNow, Memberships = { new EventMembership { UserId = OperatorId, EventId = EventId } },
            });
            db.SaveChanges();
        }
        Services.AddLogging();
        Services.AddCrowdShieldCore();
        Services.AddSingleton<IDbContextFactory<CrowdShieldDb>>(Db);
        Services.AddSingleton<UserDirectory>();
        if (bus is not null)
        {
            Services.AddSingleton(bus);
        }
        var auth = AddAuthorization();
        auth.SetAuthorized("op@tests.local");
        auth.SetClaims(new Claim(UserClaims.UserId, OperatorId), new Claim(UserClaims.Stamp, OperatorStamp));
        UseInteractiveServer();
    }

    protected TestDatabase Db { get; } = new();

    protected IMessageBus Bus => Services.GetRequiredService<IMessageBus>();

    protected int Subscribers => (Bus as MessageBus)?.SubscriberCount(EventId) ?? 0;

    protected Task PublishAsync(string type, object payload) => Bus.PublishAsync(EventId, type, payload);

    protected async Task<T> InDbAsync<T>(Func<CrowdShieldDb, Task<T>> work)
    {
        await using var db = Db.CreateDbContext();
        return await work(db);
    }
}
