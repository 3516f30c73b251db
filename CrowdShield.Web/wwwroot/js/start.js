// Starts Blazor with a connection that notices a silent loss quickly. By default a stalled socket (Wi-Fi gone,
// nothing closed) passes for live for 30 s; here the server sends a keep-alive every 2 s and the page gives up
// on a connection that said nothing for 4 s, so the indicator turns yellow and reconnection starts within 5 s.
// The server's side of this is in Components/UiServiceExtensions.cs (keep-alive and client timeout).
Blazor.start({
    circuit: {
        configureSignalR: builder => builder.withServerTimeout(4000).withKeepAliveInterval(2000),
    },
});
