using CrowdShield.Web.Api;
using CrowdShield.Web.Auth;
using CrowdShield.Web.Cluster;
using CrowdShield.Web.Components;
using CrowdShield.Web.Data;
using CrowdShield.Web.Hosting;
using CrowdShield.Web.Hosting.Demo;
using CrowdShield.Web.Notifications;
using CrowdShield.Web.Realtime;

var builder = WebApplication.CreateBuilder(ContentRoot.Options(args));

builder.AddCrowdShieldData();
builder.AddCrowdShieldCluster();
builder.AddCrowdShieldDomain();
builder.AddCrowdShieldNotifications();
builder.AddCrowdShieldAuth();
builder.AddCrowdShieldApi();
builder.AddCrowdShieldRealtime();
builder.AddCrowdShieldUi();
builder.AddCrowdShieldDemo();
builder.AddCrowdShieldTelemetry();

var app = builder.Build();

await app.PrepareCrowdShieldAsync();

app.UseConfiguredForwardedHeaders();
app.UseSecurityHeaders();
if (!app.Environment.IsDevelopment())
{
    app.UseHsts();
}
app.UseExceptionHandler();
app.UseWhen(context => context.IsApiRequest(), api => api.UseStatusCodePages());
app.UseWhen(context => !context.IsApiRequest(), pages => pages.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
app.UseCors();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.UseWhen(context => context.Request.Path.StartsWithSegments(RealtimeServiceExtensions.HubPath), hub => hub.UseMiddleware<HubAccessMiddleware>());
app.UseAntiforgery();

app.MapCrowdShieldHealth();
app.MapCrowdShieldApi();
app.MapCrowdShieldRealtime();
app.MapCrowdShieldUi();

app.Run();
