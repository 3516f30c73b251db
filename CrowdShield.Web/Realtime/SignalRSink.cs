using CrowdShield.Core.Realtime;
using Microsoft.AspNetCore.SignalR;

namespace CrowdShield.Web.Realtime;

/// <summary>
/// The SignalR bridge: every message the message bus stores goes to the SignalR group of its event, under its
/// contract method name, with the exact wire payload. With a Redis backplane the same call reaches every node.
/// </summary>
internal sealed class SignalRSink(IHubContext<ClientHub> hub) : IRealtimeSink
{
    public Task DeliverAsync(RealtimeMessage message, CancellationToken cancellationToken) =>
        hub.Clients.Group(ClientHub.GroupOf(message.EventId)).SendAsync(message.Type, message.Json, cancellationToken);
}
