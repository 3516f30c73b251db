using System.Net.Http.Headers;
using System.Text;
using CrowdShield.Core.Notifications;

namespace CrowdShield.Web.Notifications;

/// <summary>POSTs the JSON body to the hook, signed with <c>X-CrowdShield-Signature</c> when its secret is set; any non-2xx is a failure.</summary>
internal sealed class WebhookSender(IHttpClientFactory clients) : INotificationSender
{
    public const string ClientName = "webhooks";
    public const string SignatureHeader = "X-CrowdShield-Signature";

    public string Channel => Channels.Webhook;

    public async Task SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, notification.Target)
        {
            Content = new StringContent(notification.Body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        if (notification.Signature is { } signature)
        {
            request.Headers.TryAddWithoutValidation(SignatureHeader, signature);
        }
        request.Headers.TryAddWithoutValidation("X-CrowdShield-Delivery", notification.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{notification.Target} answered {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
        }
    }
}
