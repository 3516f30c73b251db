using CrowdShield.Core.Notifications;

namespace CrowdShield.Web.Notifications;

public static class NotificationServiceExtensions
{
    /// <summary>Webhooks, e-mail and Web Push from the outbox, and escalation until acknowledged (section "Notifications").</summary>
    public static IHostApplicationBuilder AddCrowdShieldNotifications(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<NotificationOptions>(builder.Configuration.GetSection("Notifications"));
        // No retry handler here: the dispatcher retries with backoff across minutes and restarts; the timeout is per attempt.
        builder.Services.AddHttpClient(WebhookSender.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        builder.Services.AddHttpClient(PushSender.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        builder.Services.AddSingleton<VapidKeys>();
        builder.Services.AddSingleton<INotificationSender, WebhookSender>();
        builder.Services.AddSingleton<INotificationSender, EmailSender>();
        builder.Services.AddSingleton<INotificationSender, PushSender>();
        builder.Services.AddHostedService<NotificationDispatcher>();
        builder.Services.AddHostedService<EscalationService>();
        return builder;
    }
}
