using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CrowdShield.Benchmarks;

/// <summary>
/// A browser tab on an interactive server page, without the browser: it fetches the prerendered page, opens the Blazor
/// circuit over the same hub and protocol as blazor.web.js, acknowledges every render batch as soon as it arrives and
/// answers the page's JavaScript calls with empty results. Chromium spends most of two cores drawing 20 command-center
/// pages; this lets one benchmark process hold hundreds of circuits, so the server's side is what gets measured.
/// It does not apply batches to a DOM: a text counts as on screen when the render batch that carries it arrives,
/// which is the last moment the server has any say in.
/// </summary>
internal sealed partial class CircuitClient : IAsyncDisposable
{
    private readonly HubConnection _connection;
    private readonly Action<CircuitClient, ReadOnlyMemory<byte>> _onBatch;
    private long _nextJsObjectId;
    private int _batches;

    private CircuitClient(HubConnection connection, Action<CircuitClient, ReadOnlyMemory<byte>> onBatch)
    {
        _connection = connection;
        _onBatch = onBatch;
    }

    /// <summary>Render batches received so far; the first one is the page's first interactive render.</summary>
    public int Batches => Volatile.Read(ref _batches);

    /// <summary>The server's last "JS.Error": a circuit that failed says so here rather than going quiet.</summary>
    public string? Error { get; private set; }

    /// <summary>
    /// Signs in through the same form a browser posts (its antiforgery token included), leaving the sign-in cookie in
    /// <paramref name="cookies"/>, which <paramref name="http"/> must use.
    /// </summary>
    public static async Task SignInAsync(HttpClient http, CookieContainer cookies, string email, string password)
    {
        var form = await http.GetStringAsync("/login");
        var fields = HiddenInput().Matches(form).ToDictionary(m => WebUtility.HtmlDecode(m.Groups[1].Value), m => WebUtility.HtmlDecode(m.Groups[2].Value));
        fields["Input.Email"] = email;
        fields["Input.Password"] = password;
        using var response = await http.PostAsync("/login", new FormUrlEncodedContent(fields));
        if (cookies.GetCookies(http.BaseAddress!)["crowdshield"] is null)
        {
            throw new InvalidOperationException($"signing in as {email} through /login gave {(int)response.StatusCode} and no sign-in cookie");
        }
    }

    /// <summary>
    /// Opens the page at <paramref name="path"/> as the user whose sign-in cookie is in <paramref name="cookies"/>,
    /// and returns once its circuit has sent its first render batch.
    /// </summary>
    public static async Task<CircuitClient> OpenAsync(HttpClient http, CookieContainer cookies, string path,
        Action<CircuitClient, ReadOnlyMemory<byte>> onBatch, CancellationToken cancellationToken = default)
    {
        var pageUri = new Uri(http.BaseAddress!, path);
        var html = await http.GetStringAsync(pageUri, cancellationToken);
        var operations = new JsonArray();
        foreach (Match marker in ComponentMarker().Matches(html))
        {
            // Start markers carry the component's type and descriptor; end markers only its prerender id.
            if (JsonNode.Parse(marker.Groups[1].Value) is JsonObject descriptor && (string?)descriptor["type"] == "server")
            {
                operations.Add(new JsonObject { ["type"] = "add", ["ssrComponentId"] = operations.Count + 1, ["marker"] = descriptor });
            }
        }
        if (operations.Count == 0)
        {
            throw new InvalidOperationException($"{path} has no interactive server components (signed out?)");
        }
        var state = ComponentState().Match(html) is { Success: true } match ? match.Groups[1].Value : "";

        var builder = new HubConnectionBuilder().WithUrl(new Uri(http.BaseAddress!, "/_blazor"), options =>
        {
            options.Transports = HttpTransportType.WebSockets;
            options.SkipNegotiation = true;
            options.Cookies = cookies;
        });
        builder.Services.AddSingleton<IHubProtocol, BlazorPackProtocol>();
        var connection = builder.Build();
        // As the page configures its connection (wwwroot/js/start.js): the server lets a client go after 10 s of
        // silence, and this client's default keep-alive (15 s) would be too slow for it.
        connection.KeepAliveInterval = TimeSpan.FromSeconds(2);
        connection.ServerTimeout = TimeSpan.FromSeconds(4);
        var client = new CircuitClient(connection, onBatch);
        var firstBatch = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.On<long, byte[]>("JS.RenderBatch", async (batchId, batch) =>
        {
            Interlocked.Increment(ref client._batches);
            client._onBatch(client, batch);
            // The server keeps at most a few unacknowledged batches in flight; a tab acknowledges once it applied one.
            await connection.SendAsync("OnRenderCompleted", batchId, null);
            firstBatch.TrySetResult();
        });
        connection.On<long, string, string, int, long, int>("JS.BeginInvokeJS", (handle, _, _, resultType, _, _) =>
            client.AnswerJsCallAsync(handle, resultType));
        connection.On<string>("JS.Error", error =>
        {
            client.Error = error;
            firstBatch.TrySetException(new InvalidOperationException($"{path}: the circuit failed: {error}"));
        });

        try
        {
            await connection.StartAsync(cancellationToken);
            var circuitId = await connection.InvokeAsync<string?>("StartCircuit", http.BaseAddress!.ToString(), pageUri.ToString(), "[]", "", cancellationToken);
            if (string.IsNullOrEmpty(circuitId))
            {
                throw new InvalidOperationException($"{path}: the server refused to start a circuit");
            }
            var batch = new JsonObject { ["batchId"] = 1, ["operations"] = operations };
            await connection.SendAsync("UpdateRootComponents", batch.ToJsonString(), state, cancellationToken);
            await firstBatch.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        return client;
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    /// <summary>
    /// Answers a JavaScript call as a page whose scripts succeed and return nothing would. A call that asks for a
    /// JavaScript object (a module import, a map instance) gets a fresh object id, so the component can go on calling it.
    /// </summary>
    private Task AnswerJsCallAsync(long handle, int resultType)
    {
        if (handle == 0)
        {
            return Task.CompletedTask; // fire-and-forget call: nobody waits for an answer
        }
        // JSCallResultType: 0 default, 1 JSObjectReference, 2 JSStreamReference, 3 JSVoidResult.
        object? result = resultType == 1 ? new Dictionary<string, long> { ["__jsObjectId"] = Interlocked.Increment(ref _nextJsObjectId) } : null;
        var answer = JsonSerializer.Serialize(new object?[] { handle, true, result });
        return _connection.SendAsync("EndInvokeJSFromDotNet", handle, true, answer);
    }

    /// <summary>
    /// The strings in a render batch that are <paramref name="prefix"/> followed by digits and nothing else: the batch's
    /// string table stores each string once, UTF-8 behind its 7-bit encoded length, so a report's text is found whole
    /// ("ui-bench 1" is not read out of "ui-bench 12", nor out of a longer sentence that contains it).
    /// </summary>
    public static IEnumerable<string> WholeStrings(ReadOnlySpan<byte> batch, ReadOnlySpan<byte> prefix)
    {
        var found = new List<string>();
        var offset = 0;
        while (offset < batch.Length && batch[offset..].IndexOf(prefix) is var at and >= 0)
        {
            var start = offset + at;
            offset = start + 1;
            // The byte before a string is its length (one byte below 128); the digits must fill the rest of it exactly.
            // Scanning digits instead would run into the next string's length byte when that looks like a digit.
            var length = start > 0 ? batch[start - 1] : 0;
            if (length <= prefix.Length || length >= 128 || start + length > batch.Length)
            {
                continue;
            }
            var digits = batch.Slice(start + prefix.Length, length - prefix.Length);
            if (digits.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0)
            {
                found.Add(Encoding.UTF8.GetString(batch.Slice(start, length)));
            }
        }
        return found;
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"")]
    private static partial Regex HiddenInput();

    [GeneratedRegex("<!--Blazor:(\\{.*?\\})-->", RegexOptions.Singleline)]
    private static partial Regex ComponentMarker();

    [GeneratedRegex("<!--Blazor-Server-Component-State:([A-Za-z0-9+/=]+)-->")]
    private static partial Regex ComponentState();

    /// <summary>
    /// Blazor's hub speaks MessagePack under its own protocol name ("blazorpack") and accepts nothing else; the message
    /// format is SignalR's MessagePack protocol, so this only renames it.
    /// </summary>
    private sealed class BlazorPackProtocol : IHubProtocol
    {
        private readonly MessagePackHubProtocol _inner = new(Options.Create(new MessagePackHubProtocolOptions()));

        public string Name => "blazorpack";

        public int Version => _inner.Version;

        public TransferFormat TransferFormat => TransferFormat.Binary;

        public bool IsVersionSupported(int version) => _inner.IsVersionSupported(version);

        public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message) =>
            _inner.TryParseMessage(ref input, binder, out message);

        public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => _inner.WriteMessage(message, output);

        public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => _inner.GetMessageBytes(message);
    }
}
