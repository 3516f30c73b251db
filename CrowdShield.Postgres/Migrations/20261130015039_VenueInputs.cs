using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace CrowdShield.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class VenueInputs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<double>(
                name: "GateWidthM",
                table: "zones",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Staff",
                table: "pings",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "Capacity",
                table: "events",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TimeZone",
                table: "events",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "UTC");

            migrationBuilder.CreateTable(
                name: "counter_states",
                columns: table => new
                {
                    EventId = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    CounterId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    LastIn = table.Column<long>(type: "bigint", nullable: false),
                    LastOut = table.Column<long>(type: "bigint", nullable: false),
                    LastAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_counter_states", x => new { x.EventId, x.CounterId });
                });

            migrationBuilder.CreateTable(
                name: "crossings",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    EventId = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    ZoneId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    CounterId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    In = table.Column<int>(type: "integer", nullable: false),
                    Out = table.Column<int>(type: "integer", nullable: false),
                    CapturedAt = table.Column<long>(type: "bigint", nullable: false),
                    ReceivedAt = table.Column<long>(type: "bigint", nullable: false),
                    OccupancyAfter = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_crossings", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "zone_occupancy",
                columns: table => new
                {
                    EventId = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    ZoneId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Occupancy = table.Column<int>(type: "integer", nullable: false),
                    UpdatedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_zone_occupancy", x => new { x.EventId, x.ZoneId });
                });

            migrationBuilder.CreateIndex(
                name: "IX_crossings_EventId_CapturedAt",
                table: "crossings",
                columns: new[] { "EventId", "CapturedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_crossings_ReceivedAt",
                table: "crossings",
                column: "ReceivedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "counter_states");

            migrationBuilder.DropTable(
                name: "crossings");

            migrationBuilder.DropTable(
                name: "zone_occupancy");

            migrationBuilder.DropColumn(
                name: "GateWidthM",
                table: "zones");

            migrationBuilder.DropColumn(
                name: "Staff",
                table: "pings");

            migrationBuilder.DropColumn(
                name: "Capacity",
                table: "events");

            migrationBuilder.DropColumn(
                name: "TimeZone",
                table: "events");
        }
    }
}
