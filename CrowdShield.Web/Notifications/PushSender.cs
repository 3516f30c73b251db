using System.Globalization;
using System.Net;
using System.Text.Json;
using CrowdShield.Core.Notifications;
using Lib.Net.Http.WebPush;
using Lib.Net.Http.WebPush.Authentication;

namespace CrowdShield.Web.Notifications;

/// <summary>
/// Web Push to a registered tablet (VAPID, payload encrypted for the subscription by Lib.Net.Http.WebPush). A
/// subscription the push service no longer knows (404, 410) is forgotten and the message is not retried.
/// </summary>
internal sealed class PushSender(IHttpClientFactory clients, VapidKeys keys, RoutingTable routing) : INotificationSender
{
    public const string ClientName = "push";

    public string Channel => Channels.Push;

    public async Task SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        var id = long.Parse(notification.Target, CultureInfo.InvariantCulture);
        var registration = await routing.FindPushAsync(id, cancellationToken)
            ?? throw new PermanentDeliveryException("The tablet unregistered before the message was sent.");
        var body = JsonSerializer.Deserialize<NotificationBody>(notification.Body, NotificationOutbox.Json)!;
        var subscription = new Lib.Net.Http.WebPush.PushSubscription { Endpoint = registration.Endpoint };
        subscription.SetKey(PushEncryptionKeyName.P256DH, registration.P256dh);
        subscription.SetKey(PushEncryptionKeyName.Auth, registration.Auth);
        // What the service worker shows: short, with the alert's id so that a tap opens the event.
        var payload = JsonSerializer.Serialize(new
        {
            title = EmailSender.Subject(body).Replace("[CrowdShield] ", "", StringComparison.Ordinal),
            body = body.Alert.Message,
            eventId = body.EventId,
            alertId = body.Alert.Id,
            kind = body.Kind,
        }, NotificationOutbox.Json);
        var (publicKey, privateKey, subject) = await keys.GetAsync(cancellationToken);
        using var vapid = new VapidAuthentication(publicKey, privateKey) { Subject = subject };
        var client = new PushServiceClient(clients.CreateClient(ClientName))
        {
            DefaultAuthentication = vapid, DefaultAuthenticationScheme = VapidAuthenticationScheme.Vapid,
        };
        try
        {
            await client.RequestPushMessageDeliveryAsync(subscription,
                new PushMessage(payload) { Urgency = PushMessageUrgency.High, Topic = body.Alert.Id.Length <= 32 ? body.Alert.Id : null, TimeToLive = 600 },
                cancellationToken);
        }
        catch (PushServiceClientException ex) when (ex.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
        {
            await routing.ForgetPushAsync(id, CancellationToken.None);
            throw new PermanentDeliveryException($"The push subscription is gone ({(int)ex.StatusCode}); the tablet was forgotten.");
        }
    }
}
