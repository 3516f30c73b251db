using System.Text.Json;
using CrowdShield.Core.Actions;
using CrowdShield.Core.Alerts;
using CrowdShield.Core.Audit;
using CrowdShield.Core.Cameras;
using CrowdShield.Core.Cluster;
using CrowdShield.Core.Counters;
using CrowdShield.Core.Events;
using CrowdShield.Core.Notifications;
using CrowdShield.Core.Map;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Reports;
using CrowdShield.Core.Users;
using CrowdShield.Core.Zones;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace CrowdShield.Core.Data;

/// <summary>
/// The one database of CrowdShield. Provider-neutral on purpose: the host picks SQLite or PostgreSQL,
/// and nothing here may depend on either.
/// </summary>
public sealed class CrowdShieldDb(DbContextOptions<CrowdShieldDb> options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();
    public DbSet<EventMembership> EventMemberships => Set<EventMembership>();
    public DbSet<Event> Events => Set<Event>();
    public DbSet<Zone> Zones => Set<Zone>();
    public DbSet<CameraCount> CameraCounts => Set<CameraCount>();
    public DbSet<HourlyCount> HourlyCounts => Set<HourlyCount>();
    public DbSet<Alert> Alerts => Set<Alert>();
    public DbSet<Ping> Pings => Set<Ping>();
    public DbSet<OperatorAction> Actions => Set<OperatorAction>();
    public DbSet<Report> Reports => Set<Report>();
    public DbSet<FeedEntry> Feed => Set<FeedEntry>();
    public DbSet<FeedCounter> FeedCounters => Set<FeedCounter>();
    public DbSet<Lease> Leases => Set<Lease>();
    public DbSet<ProtectionKey> ProtectionKeys => Set<ProtectionKey>();
    public DbSet<AuditEntry> Audit => Set<AuditEntry>();
    public DbSet<Crossing> Crossings => Set<Crossing>();
    public DbSet<ZoneOccupancy> ZoneOccupancies => Set<ZoneOccupancy>();
    public DbSet<CounterState> CounterStates => Set<CounterState>();
    public DbSet<AlertComment> AlertComments => Set<AlertComment>();
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<NotificationRule> NotificationRules => Set<NotificationRule>();
    public DbSet<PushRegistration> PushRegistrations => Set<PushRegistration>();
    public DbSet<Setting> Settings => Set<Setting>();

    protected override void ConfigureConventions(ModelConfigurationBuilder builder)
    {
        // Times are stored as UTC Unix milliseconds: ordered and comparable in SQL on every provider
        // (SQLite cannot order or compare DateTimeOffset text).
        builder.Properties<DateTimeOffset>().HaveConversion<UtcMillisConverter>();
        builder.Properties<DateTimeOffset?>().HaveConversion<UtcMillisConverter>();
        builder.Properties<string>().HaveMaxLength(2000);
    }

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<User>(e =>
        {
            e.ToTable("users");
            e.HasKey(u => u.Id);
            e.Property(u => u.Id).HasMaxLength(64);
            e.Property(u => u.Email).HasMaxLength(254);
            e.Property(u => u.NormalizedEmail).HasMaxLength(254);
            e.HasIndex(u => u.NormalizedEmail).IsUnique();
            e.Property(u => u.Name).HasMaxLength(200);
            e.Property(u => u.Role).HasMaxLength(16);
            e.Property(u => u.PasswordHash).HasMaxLength(512);
            e.Property(u => u.SecurityStamp).HasMaxLength(64);
            e.HasMany(u => u.Memberships).WithOne().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        model.Entity<EventMembership>(e =>
        {
            e.ToTable("event_memberships");
            e.HasKey(m => new { m.UserId, m.EventId });
            e.HasIndex(m => m.EventId);
        });

        model.Entity<Event>(e =>
        {
            e.ToTable("events");
            e.HasKey(x => x.Id);
            e.Property(x => x.Name).HasMaxLength(200);
            e.Property(x => x.TimeZone).HasMaxLength(64).HasDefaultValue("UTC");
            e.HasMany(x => x.Zones).WithOne().HasForeignKey(z => z.EventId).OnDelete(DeleteBehavior.Cascade);
        });

        model.Entity<Zone>(e =>
        {
            e.ToTable("zones");
            // Zone ids are chosen by the client ("gate-3"), so they are unique within an event only.
            e.HasKey(z => new { z.EventId, z.Id });
            e.Property(z => z.Id).HasMaxLength(64);
            e.Property(z => z.Name).HasMaxLength(200);
            e.Property(z => z.Polygon)
                .HasConversion(new PolygonConverter(), new PolygonComparer())
                .HasMaxLength(100_000);
        });

        model.Entity<CameraCount>(e =>
        {
            e.ToTable("camera_counts");
            e.HasKey(c => c.Id);
            e.HasIndex(c => new { c.EventId, c.ZoneId, c.CapturedAt });
            e.HasIndex(c => c.ReceivedAt);
            e.Property(c => c.CameraId).HasMaxLength(128);
        });

        model.Entity<HourlyCount>(e =>
        {
            e.ToTable("hourly_counts");
            e.HasKey(h => new { h.EventId, h.ZoneId, h.CameraId, h.HourStart });
            e.Property(h => h.CameraId).HasMaxLength(128);
        });

        model.Entity<Alert>(e =>
        {
            e.ToTable("alerts");
            e.HasKey(a => a.Id);
            e.Property(a => a.Version).IsConcurrencyToken();
            e.Property(a => a.OpenKey).HasMaxLength(300);
            e.HasIndex(a => new { a.EventId, a.CreatedAt });
            e.HasIndex(a => new { a.EventId, a.ZoneId, a.Type, a.Status });
            // The same filter text on SQLite and PostgreSQL: both have partial indexes and quote identifiers alike.
            e.HasIndex(a => new { a.EventId, a.OpenKey }).IsUnique().HasFilter("\"OpenKey\" IS NOT NULL");
            e.Property(a => a.AssigneeId).HasMaxLength(64);
            e.Property(a => a.AssigneeName).HasMaxLength(200);
            e.HasMany(a => a.Comments).WithOne().HasForeignKey(c => c.AlertId).OnDelete(DeleteBehavior.Cascade);
        });

        model.Entity<Ping>(e =>
        {
            e.ToTable("pings");
            e.HasKey(p => p.Id);
            e.HasIndex(p => new { p.EventId, p.ExpiresAt });
            e.Property(p => p.DeviceId).HasMaxLength(128);
            e.Property(p => p.UserId).HasMaxLength(64);
            e.Ignore(p => p.StaffName);
        });

        model.Entity<OperatorAction>(e =>
        {
            e.ToTable("actions");
            e.HasKey(a => a.Id);
            e.HasIndex(a => new { a.EventId, a.CreatedAt });
            e.Property(a => a.Command).HasMaxLength(500);
            e.Property(a => a.TakenById).HasMaxLength(64);
            e.Property(a => a.TakenBy).HasMaxLength(200);
        });

        model.Entity<Report>(e =>
        {
            e.ToTable("reports");
            e.HasKey(r => r.Id);
            e.HasIndex(r => new { r.EventId, r.CreatedAt });
            e.Property(r => r.Type).HasMaxLength(32);
        });

        model.Entity<FeedEntry>(e =>
        {
            e.ToTable("feed");
            e.HasKey(f => new { f.EventId, f.Seq });
            e.HasIndex(f => f.At);
            e.Property(f => f.Type).HasMaxLength(32);
        });

        model.Entity<FeedCounter>(e =>
        {
            e.ToTable("feed_counters");
            e.HasKey(c => c.EventId);
        });

        model.Entity<Lease>(e =>
        {
            e.ToTable("leases");
            e.HasKey(l => l.Name);
            e.Property(l => l.Name).HasMaxLength(200);
            e.Property(l => l.Holder).HasMaxLength(128);
        });

        model.Entity<AlertComment>(e =>
        {
            e.ToTable("alert_comments");
            e.HasKey(c => c.Id);
            e.HasIndex(c => new { c.AlertId, c.At });
            e.Property(c => c.Id).HasMaxLength(64);
            e.Property(c => c.AuthorId).HasMaxLength(64);
            e.Property(c => c.Author).HasMaxLength(254);
        });

        model.Entity<Notification>(e =>
        {
            e.ToTable("notifications");
            e.HasKey(n => n.Id);
            e.HasIndex(n => new { n.Status, n.NextAttemptAt });
            e.HasIndex(n => new { n.EventId, n.CreatedAt });
            e.Property(n => n.Channel).HasMaxLength(16);
            e.Property(n => n.Target).HasMaxLength(2000);
            e.Property(n => n.Kind).HasMaxLength(16);
            e.Property(n => n.Status).HasMaxLength(16);
            e.Property(n => n.Body).HasMaxLength(100_000);
            e.Property(n => n.Signature).HasMaxLength(80);
        });

        model.Entity<NotificationRule>(e =>
        {
            e.ToTable("notification_rules");
            e.HasKey(r => r.Id);
            e.HasIndex(r => r.EventId);
            e.Property(r => r.MinSeverity).HasMaxLength(16);
            e.Property(r => r.Channel).HasMaxLength(16);
            e.Property(r => r.ZoneId).HasMaxLength(64);
            e.Property(r => r.AlertType).HasMaxLength(32);
        });

        model.Entity<PushRegistration>(e =>
        {
            e.ToTable("push_registrations");
            e.HasKey(p => p.Id);
            e.HasIndex(p => new { p.EventId, p.UserId });
            e.HasIndex(p => p.Endpoint).IsUnique();
            e.Property(p => p.UserId).HasMaxLength(64);
            e.Property(p => p.Endpoint).HasMaxLength(1000);
        });

        model.Entity<Setting>(e =>
        {
            e.ToTable("settings");
            e.HasKey(x => x.Name);
            e.Property(x => x.Name).HasMaxLength(100);
        });

        model.Entity<Crossing>(e =>
        {
            e.ToTable("crossings");
            e.HasKey(c => c.Id);
            e.HasIndex(c => new { c.EventId, c.CapturedAt });
            e.HasIndex(c => c.ReceivedAt);
            e.Property(c => c.ZoneId).HasMaxLength(64);
            e.Property(c => c.CounterId).HasMaxLength(128);
        });

        model.Entity<ZoneOccupancy>(e =>
        {
            e.ToTable("zone_occupancy");
            e.HasKey(o => new { o.EventId, o.ZoneId });
            e.Property(o => o.ZoneId).HasMaxLength(64);
        });

        model.Entity<CounterState>(e =>
        {
            e.ToTable("counter_states");
            e.HasKey(c => new { c.EventId, c.CounterId });
            e.Property(c => c.CounterId).HasMaxLength(128);
        });

        model.Entity<AuditEntry>(e =>
        {
            e.ToTable("audit");
            e.HasKey(a => a.Id);
            e.HasIndex(a => a.At);
            e.HasIndex(a => new { a.EventId, a.Id });
            e.Property(a => a.Actor).HasMaxLength(254);
            e.Property(a => a.ActorId).HasMaxLength(64);
            e.Property(a => a.Action).HasMaxLength(40);
            e.Property(a => a.Target).HasMaxLength(300);
            e.Property(a => a.Details).HasMaxLength(4000);
        });

        model.Entity<ProtectionKey>(e =>
        {
            e.ToTable("protection_keys");
            e.HasKey(k => k.Id);
            e.Property(k => k.FriendlyName).HasMaxLength(200);
            e.Property(k => k.Xml).HasMaxLength(20_000);
        });
    }

    private sealed class UtcMillisConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.ToUnixTimeMilliseconds(),
        v => DateTimeOffset.FromUnixTimeMilliseconds(v));

    private sealed class PolygonConverter() : ValueConverter<List<GeoPoint>, string>(
        v => JsonSerializer.Serialize(v, JsonSerializerOptions.Web),
        v => JsonSerializer.Deserialize<List<GeoPoint>>(v, JsonSerializerOptions.Web) ?? new List<GeoPoint>());

    private sealed class PolygonComparer() : ValueComparer<List<GeoPoint>>(
        (a, b) => a!.SequenceEqual(b!),
        v => v.Aggregate(0, (h, p) => HashCode.Combine(h, p)),
        v => v.ToList());
}
