using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace CrowdShield.Tests.Infrastructure;

/// <summary>
/// Real PostgreSQL and Redis servers for the tests, started once per test run on free loopback ports from the
/// Debian packages (<c>.ci/run</c> installs them) and stopped when the run ends (<see cref="StopWhenGone"/>). No
/// containers: this machine has no container engine, and a venue's servers are ordinary packages too.
/// </summary>
public static class ExternalServers
{
    private static readonly Lazy<Task<PostgresServer>> s_postgres = new(PostgresServer.StartSharedAsync);
    private static readonly Lazy<Task<RedisServer>> s_redis = new(RedisServer.StartAsync);


    public static Task<PostgresServer> PostgresAsync() => s_postgres.Value;

    public static Task<RedisServer> RedisAsync() => s_redis.Value;

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static async Task<string> RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await error}{await output}");
        }
        return await output;
    }

    internal static bool IsRoot => Environment.UserName == "root";

    /// <summary>
    /// Runs <paramref name="stop"/> (a shell command) once the process <paramref name="watched"/> has ended, however
    /// it ends. Handlers at process exit are not enough: once a run is over, vstest gives the test host only a moment
    /// to exit and then kills it, and every run left a PostgreSQL and a Redis server behind. A watcher in a session of
    /// its own outlives the test host, with its standard streams away from the test run's.
    /// </summary>
    internal static void StopWhenGone(string stop, int? watched = null)
    {
        var script = $"exec </dev/null >/dev/null 2>&1; while kill -0 {watched ?? Environment.ProcessId}; do sleep 1; done; {stop}";
        var info = new ProcessStartInfo("setsid") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "bash", "-c", script })
        {
            info.ArgumentList.Add(arg);
        }
        using var watcher = Process.Start(info) ?? throw new InvalidOperationException("Could not start a watcher for a test server.");
    }
}

/// <summary>
/// A throwaway PostgreSQL cluster. The shared one runs with fsync off (its tests kill app processes, not the
/// database); a durable one, for tests that crash the database itself, keeps every commit.
/// </summary>
public sealed class PostgresServer
{
    private readonly string _directory;
    private readonly string _bin;

    private readonly bool _durable;

    private PostgresServer(string directory, string bin, int port, bool durable)
    {
        _directory = directory;
        _bin = bin;
        Port = port;
        _durable = durable;
    }

    public int Port { get; }

    public string AdminConnectionString => $"Host=127.0.0.1;Port={Port};Username=cs;Database=postgres;Pooling=false";

    /// <summary>A server of its own, for a test that stops and starts it; others share <see cref="ExternalServers.PostgresAsync"/>.</summary>
    public static Task<PostgresServer> StartAsync() => StartAsync(durable: true);

    internal static Task<PostgresServer> StartSharedAsync() => StartAsync(durable: false);

    private static async Task<PostgresServer> StartAsync(bool durable)
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException("PostgreSQL is not installed: apt-get install -y postgresql (.ci/run does).");
        }
        var directory = Path.Combine(Path.GetTempPath(), $"crowdshield-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var port = ExternalServers.FreePort();
        // PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres user.
        if (ExternalServers.IsRoot)
        {
            await ExternalServers.RunAsync("chown", "postgres", directory);
        }
        await AsServerUserAsync(Path.Combine(bin, "initdb"), "-D", Path.Combine(directory, "data"), "-U", "cs", "--auth=trust", "--no-sync", "-E", "UTF8");
        var server = new PostgresServer(directory, bin, port, durable);
        await server.ResumeAsync();
        var stop = $"{Path.Combine(bin, "pg_ctl")} -D {Path.Combine(directory, "data")} -m immediate stop";
        ExternalServers.StopWhenGone($"{(ExternalServers.IsRoot ? "runuser -u postgres -- " : "")}{stop}; rm -rf {directory}");
        return server;
    }

    /// <summary>Starts the server (again) on its port.</summary>
    public Task ResumeAsync() => AsServerUserAsync(Path.Combine(_bin, "pg_ctl"), "-D", Path.Combine(_directory, "data"), "-l", Path.Combine(_directory, "log"), "-w",
        "-o", $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c max_connections=300"
            + (_durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"),
        "start");

    /// <summary>Stops the server at once, as a crash of the database machine would.</summary>
    public Task HaltAsync() => AsServerUserAsync(Path.Combine(_bin, "pg_ctl"), "-D", Path.Combine(_directory, "data"), "-m", "immediate", "stop");

    /// <summary>A new, empty database of its own, for one app (or one cluster of apps).</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"cs_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return $"Host=127.0.0.1;Port={Port};Username=cs;Database={name}";
    }

    private static Task<string> AsServerUserAsync(string file, params string[] args) =>
        ExternalServers.IsRoot ? ExternalServers.RunAsync("runuser", ["-u", "postgres", "--", file, .. args]) : ExternalServers.RunAsync(file, args);
}

/// <summary>A throwaway Redis (no persistence), a child process of the test run.</summary>
public sealed class RedisServer
{
    private Process _process;

    private RedisServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>A server of its own, for a test that stops and starts it; others share <see cref="ExternalServers.RedisAsync"/>.</summary>
    public static async Task<RedisServer> StartAsync()
    {
        var port = ExternalServers.FreePort();
        return new RedisServer(await LaunchAsync(port), port);
    }

    /// <summary>Stops the server at once (its data goes with it: it keeps none).</summary>
    public async Task HaltAsync()
    {
        Stop();
        await _process.WaitForExitAsync();
    }

    /// <summary>Starts it again on the same port.</summary>
    public async Task ResumeAsync() => _process = await LaunchAsync(Port);

    private static async Task<Process> LaunchAsync(int port)
    {
        var info = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--port", $"{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no" })
        {
            info.ArgumentList.Add(arg);
        }
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("Redis is not installed: apt-get install -y redis-server (.ci/run does).", ex);
        }
        // This one process, if it is still this Redis: a test may have stopped it, and its id been reused since.
        ExternalServers.StopWhenGone($"[ \"$(cat /proc/{process.Id}/comm 2>/dev/null)\" = redis-server ] && kill {process.Id}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return process;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    private void Stop()
    {
        try
        {
            _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
