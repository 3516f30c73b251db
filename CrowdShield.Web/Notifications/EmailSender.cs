using System.Globalization;
using System.Text;
using System.Text.Json;
using CrowdShield.Core.Notifications;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace CrowdShield.Web.Notifications;

/// <summary>Sends the alert as a plain-text e-mail through the configured SMTP server (MailKit); off unless Notifications:Email:Host is set.</summary>
internal sealed class EmailSender(IOptions<NotificationOptions> options) : INotificationSender
{
    public string Channel => Channels.Email;

    public async Task SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        var email = options.Value.Email;
        if (!email.Enabled)
        {
            throw new PermanentDeliveryException("E-mail is off: set Notifications:Email:Host to send it.");
        }
        var body = JsonSerializer.Deserialize<NotificationBody>(notification.Body, NotificationOutbox.Json)!;
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(email.From));
        message.To.Add(MailboxAddress.Parse(notification.Target));
        message.Subject = Subject(body);
        message.Body = new TextPart("plain") { Text = Text(body) };

        using var smtp = new SmtpClient();
        var security = Enum.TryParse<SecureSocketOptions>(email.Security, ignoreCase: true, out var parsed) ? parsed : SecureSocketOptions.StartTls;
        await smtp.ConnectAsync(email.Host!, email.Port, security, cancellationToken);
        if (!string.IsNullOrEmpty(email.User))
        {
            await smtp.AuthenticateAsync(email.User, email.Password ?? "", cancellationToken);
        }
        await smtp.SendAsync(message, cancellationToken);
        await smtp.DisconnectAsync(quit: true, cancellationToken);
    }

    public static string Subject(NotificationBody body) => body.Kind switch
    {
        NotificationKinds.Escalation => $"[CrowdShield] ESCALATED (level {body.Level}), not acknowledged: {body.Alert.Message}",
        NotificationKinds.Forecast => $"[CrowdShield] Forecast: {body.Alert.Message}",
        _ => $"[CrowdShield] {body.Alert.Severity.ToUpperInvariant()}: {body.Alert.Message}",
    };

    private static string Text(NotificationBody body)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"{body.EventName}: {body.Alert.Message}");
        text.AppendLine();
        text.AppendLine(c, $"Severity: {body.Alert.Severity}, type {body.Alert.Type}, zone {body.Alert.ZoneId ?? "-"}");
        text.AppendLine(c, $"Raised: {body.Alert.CreatedAt:u}");
        if (body.Alert.ExpectedAt is { } expected)
        {
            text.AppendLine(c, $"Expected to pass the threshold at: {expected:u}");
        }
        if (body.Kind == NotificationKinds.Escalation)
        {
            text.AppendLine(c, $"Nobody has acknowledged it yet: escalation level {body.Level}.");
        }
        text.AppendLine();
        text.AppendLine("Acknowledge it in the CrowdShield command center.");
        return text.ToString();
    }
}
