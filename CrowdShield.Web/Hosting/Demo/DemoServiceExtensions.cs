namespace CrowdShield.Web.Hosting.Demo;

public static class DemoServiceExtensions
{
    /// <summary>With Demo:Enabled (on in Development): the demo venue, its accounts and the simulator.</summary>
    public static IHostApplicationBuilder AddCrowdShieldDemo(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("Demo");
        builder.Services.Configure<DemoOptions>(section);
        if (section.GetValue<bool>("Enabled"))
        {
            // The demo creates accounts with published passwords: never by accident on a real system.
            if (builder.Environment.IsProduction() && !section.GetValue<bool>("AllowInProduction"))
            {
                throw new InvalidOperationException(
                    "Demo:Enabled is true in Production: the demo creates accounts whose passwords are in the README. "
                    + "Turn it off, or set Demo:AllowInProduction=true if this really is a demonstration system.");
            }
            builder.Services.AddSingleton<DemoSeeder>();
            builder.Services.AddHostedService<DemoSimulator>();
            // The demo site's plan under its zones (a configured plan for the demo event wins).
            builder.Services.PostConfigure<Components.Live.MapUiOptions>(ui => ui.Plans.TryAdd(DemoVenue.EventId, DemoVenue.Plan));
        }
        return builder;
    }
}
