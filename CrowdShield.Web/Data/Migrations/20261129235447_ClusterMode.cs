using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrowdShield.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class ClusterMode : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "OpenKey",
                table: "alerts",
                type: "TEXT",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "RecoveringSince",
                table: "alerts",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Version",
                table: "alerts",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "feed_counters",
                columns: table => new
                {
                    EventId = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    LastSeq = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_feed_counters", x => x.EventId);
                });

            migrationBuilder.CreateTable(
                name: "leases",
                columns: table => new
                {
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Holder = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_leases", x => x.Name);
                });

            migrationBuilder.CreateTable(
                name: "protection_keys",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    FriendlyName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Xml = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_protection_keys", x => x.Id);
                });

            // Seq now comes from the counters: start each event's from its last stored message.
            migrationBuilder.Sql("""
                INSERT INTO "feed_counters" ("EventId", "LastSeq") SELECT "EventId", MAX("Seq") FROM "feed" GROUP BY "EventId";
                """);
            // The open alerts get their key (Alert.KeyOf: zone, type and camera joined by U+001F); if a condition
            // somehow has two open alerts, only the newest takes the key.
            migrationBuilder.Sql("""
                UPDATE "alerts" SET "OpenKey" = COALESCE("ZoneId", '') || char(31) || "Type" || char(31) || COALESCE("CameraId", '')
                WHERE "Status" <> 'resolved' AND NOT EXISTS (
                    SELECT 1 FROM "alerts" AS "newer"
                    WHERE "newer"."EventId" = "alerts"."EventId" AND "newer"."ZoneId" IS "alerts"."ZoneId" AND "newer"."Type" = "alerts"."Type"
                      AND "newer"."CameraId" IS "alerts"."CameraId" AND "newer"."Status" <> 'resolved'
                      AND ("newer"."CreatedAt" > "alerts"."CreatedAt" OR ("newer"."CreatedAt" = "alerts"."CreatedAt" AND "newer"."Id" > "alerts"."Id")));
                """);

            migrationBuilder.CreateIndex(
                name: "IX_alerts_EventId_OpenKey",
                table: "alerts",
                columns: new[] { "EventId", "OpenKey" },
                unique: true,
                filter: "\"OpenKey\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "feed_counters");

            migrationBuilder.DropTable(
                name: "leases");

            migrationBuilder.DropTable(
                name: "protection_keys");

            migrationBuilder.DropIndex(
                name: "IX_alerts_EventId_OpenKey",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "OpenKey",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "RecoveringSince",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "Version",
                table: "alerts");
        }
    }
}
