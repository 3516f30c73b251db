using CrowdShield.Core.Events;
using CrowdShield.Core.Zones;
using CrowdShield.Core.Intelligence;
using CrowdShield.Core.Map;

namespace CrowdShield.Tests.Core;

public sealed class GeoTests
{
    // About 100 m × 100 m near London.
    private static readonly GeoPoint[] Square =
        [new(51.5, -0.1), new(51.5009, -0.1), new(51.5009, -0.09856), new(51.5, -0.09856)];

    [Fact]
    public void AreaM2_OfAHundredMetreSquare_IsAboutTenThousand()
    {
        var area = Geo.AreaM2(Square);

        Assert.InRange(area, 9_800, 10_200);
    }

    [Theory]
    [InlineData(51.5004, -0.0993, true)]
    [InlineData(51.5010, -0.0993, false)]
    [InlineData(51.5004, -0.1001, false)]
    public void Contains_TellsInsideFromOutside(double lat, double lng, bool inside) =>
        Assert.Equal(inside, new ZoneGeometry.Index([new ZoneDefinition("sq", "Square", Square, null, null, 30)]).ZonesAt(lat, lng).Length == 1);

    [Theory]
    [InlineData(0.2, DensityBands.Low)]
    [InlineData(1.0, DensityBands.Moderate)]
    [InlineData(2.5, DensityBands.Elevated)]
    [InlineData(3.5, DensityBands.High)]
    [InlineData(5.0, DensityBands.Critical)]
    public void DensityBands_FollowCrowdSafetyPractice(double personsPerM2, string level) =>
        Assert.Equal(level, new DensityBands().LevelOf(personsPerM2));

    [Fact]
    public void Trend_OfASteadyRise_IsItsSlope()
    {
        var t0 = DateTimeOffset.UnixEpoch;
        var points = Enumerable.Range(0, 10).Select(i => (t0.AddMinutes(i), 100.0 + 3 * i)).ToList();

        Assert.Equal(3, Trend.SlopePerMinute(points), 6);
    }

    [Fact]
    public void Grid_PutsAPointInTheCellWhoseCentreIsNearIt()
    {
        var grid = new Grid(new GeoPoint(51.5, -0.1), 25);

        var cell = grid.CellOf(51.5003, -0.0996);
        var (lat, lng) = grid.CentreOf(cell);

        Assert.InRange(Math.Abs(lat - 51.5003) * 110_574, 0, 12.5);
        Assert.InRange(Math.Abs(lng + 0.0996) * 111_320 * Math.Cos(51.5 * Math.PI / 180), 0, 12.5);
    }
}

public sealed class OccupancyTests
{
    private static readonly CrowdShield.Core.Events.ZoneDefinition Gate =
        new("gate", "Gate 3", [], AreaM2: 1000, Capacity: null, AlertThreshold: 30);

    [Fact]
    public void Level_IsTheWorseOfDensityAndLoadAgainstTheThreshold()
    {
        var occupancy = Occupancy.Of(Gate, 48, new DensityBands());

        Assert.Equal(0.048, occupancy.Density);
        Assert.Equal(DensityBands.Critical, occupancy.Level);
    }

    [Fact]
    public void Level_FollowsDensity_WhenTheThresholdIsFarAway()
    {
        var occupancy = Occupancy.Of(Gate with { AlertThreshold = 10_000 }, 3600, new DensityBands());

        Assert.Equal(DensityBands.High, occupancy.Level);
    }
}
