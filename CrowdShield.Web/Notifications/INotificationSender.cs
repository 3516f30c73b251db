using CrowdShield.Core.Notifications;

namespace CrowdShield.Web.Notifications;

/// <summary>Delivers a queued message on one channel; throws when it did not arrive (the dispatcher retries).</summary>
public interface INotificationSender
{
    string Channel { get; }

    Task SendAsync(Notification notification, CancellationToken cancellationToken);
}

/// <summary>The receiver says the message can never be delivered (a push subscription that is gone): no more retries.</summary>
public sealed class PermanentDeliveryException(string message) : Exception(message);
