using System.Security.Claims;
using Bunit;
using CrowdShield.Core.Data;
using CrowdShield.Core.Events;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Users;
using CrowdShield.Tests.Infrastructure;
using CrowdShield.Web.Auth;
using CrowdShield.Web.Components.Pages.Events;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrowdShield.Tests.Components;

public sealed class CommandCenterTests : CrowdShieldBunitContext
{
    private readonly TestDatabase _db = new();
    private readonly EventHub _hub;

    public CommandCenterTests()
    {
        using (var db = _db.CreateDbContext())
        {
            db.Events.Add(new Event { Id = "fest", Name = "Riverside Festival", CenterLat = 51.5, CenterLng = -0.1, CreatedAt = DateTimeOffset.UtcNow });
            db.Users.Add(new User
            {
                Id = "op", Email = "op@tests.local", NormalizedEmail = "OP@TESTS.LOCAL", Name = "Op", Role = Roles.Operator, PasswordHash = "x",
                CreatedAt = DateTimeOffset.UtcNow, Memberships = { new EventMembership { UserId = "op", EventId = "fest" } },
            });
            db.SaveChanges();
        }
        var feed = new EfFeedStore(_db);
        _hub = new EventHub(feed, [], TimeProvider.System, NullLogger<EventHub>.Instance);
        Services.AddSingleton<IDbContextFactory<CrowdShieldDb>>(_db);
        Services.AddSingleton<IEventHub>(_hub);
        Services.AddSingleton<IFeedStore>(feed);
        Services.AddSingleton(new VenueDirectory(_db));
        Services.AddSingleton(new UserDirectory(_db, TimeProvider.System));
        UseInteractiveServer();
    }

    private IRenderedComponent<CommandCenter> Render(string userId) => Render<CommandCenter>(p => p
        .Add(c => c.EventId, "fest")
        .Add(c => c.AuthenticationState, Task.FromResult(new AuthenticationState(
            new ClaimsPrincipal(new ClaimsIdentity([new Claim(UserDirectory.UserIdClaim, userId)], "test"))))));

    [Fact]
    public async Task ShowsEarlierMessages_ThenLiveOnes_NewestFirst()
    {
        await _hub.PublishAsync("fest", RealtimeEvents.ReportNew, new ReportNewPayload("r1", "Lost child at gate 2", "lost_person", DateTimeOffset.UtcNow, null, null, null, "f"));

        var page = Render("op");
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=feed-item]")));
        await _hub.PublishAsync("fest", RealtimeEvents.AlertNew, new AlertNewPayload("a1", "overcrowding", "Gate 3: 40 people", "warning", "gate-3", DateTimeOffset.UtcNow));

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=feed-item]").Count));
        Assert.Equal(["2", "1"], page.FindAll("[data-testid=feed-item]").Select(e => e.GetAttribute("data-seq")));
        Assert.Contains("Gate 3: 40 people", page.Markup);
        Assert.Equal("connected", page.Find("[data-testid=connection-status]").GetAttribute("data-state"));
    }

    [Fact]
    public async Task Dispose_EndsTheSubscription()
    {
        var page = Render("op");
        page.WaitForAssertion(() => Assert.Equal(1, _hub.SubscriberCount("fest")));

        await DisposeComponentsAsync();

        Assert.Equal(0, _hub.SubscriberCount("fest"));
    }

    [Fact]
    public void NonMember_SeesNothingOfTheEvent()
    {
        var page = Render("someone-else");

        page.WaitForAssertion(() => Assert.Contains("no such event", page.Markup));
        Assert.Equal(0, _hub.SubscriberCount("fest"));
    }
}
