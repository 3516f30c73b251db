using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CrowdShield.Benchmarks;

/// <summary>The CrowdShield server as its own process (Release build), on a free loopback port with a fresh database.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    public const string AdminEmail = "bench-admin@crowdshield.local";
    public const string AdminPassword = "Bench-Passw0rd!";

    private readonly Process _process;
    private readonly string _dataDirectory;

    private ServerProcess(Process process, string dataDirectory, Uri baseAddress)
    {
        _process = process;
        _dataDirectory = dataDirectory;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public int Pid => _process.Id;

    /// <summary>
    /// Starts the server. With BENCH_SERVER_CPUS set (bench/run.sh --pin sets "0"), it runs on those cores alone
    /// (taskset), as compare.sh runs it: a server sharing cores with its own load client looks faster than it is.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(string serverDll, IReadOnlyDictionary<string, string>? settings = null)
    {
        var port = FreePort();
        var dataDirectory = Path.Combine(Path.GetTempPath(), "crowdshield-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        string[] command = ["dotnet", serverDll, "--urls", $"http://127.0.0.1:{port}"];
        if (Environment.GetEnvironmentVariable("BENCH_SERVER_CPUS") is { Length: > 0 } cpus)
        {
            command = ["taskset", "-c", cpus, .. command];
        }
        var start = new ProcessStartInfo(command[0], command[1..])
        {
            WorkingDirectory = Path.GetDirectoryName(serverDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Storage__DataDirectory"] = dataDirectory;
        start.Environment["Jwt__SigningKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48));
        start.Environment["Bootstrap__AdminEmail"] = AdminEmail;
        start.Environment["Bootstrap__AdminPassword"] = AdminPassword;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // One device token sends everything here: the per-user ingest limit would measure itself.
        start.Environment["RateLimits__Ingest__PerUser"] = "1000000";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        foreach (var name in new[] { "DOTNET_gcServer", "DOTNET_GCgen0size", "DOTNET_GCConserveMemory" })
        {
            if (Environment.GetEnvironmentVariable("BENCH_" + name) is { } value)
            {
                start.Environment[name] = value;
            }
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the server.");
        process.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) Console.Error.WriteLine($"  [server] {e.Data}"); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) Console.Error.WriteLine($"  [server] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, dataDirectory, new Uri($"http://127.0.0.1:{port}"));
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                if ((await http.GetAsync("/health")).IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
            }
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("The server did not become healthy.");
            }
            await Task.Delay(200);
        }
    }

    /// <summary>The server's threads now (Threads in /proc/PID/status).</summary>
    public long Threads() => ReadStatus("Threads");

    /// <summary>Peak resident memory of the server process so far (VmHWM), in MB.</summary>
    public double PeakMemoryMb() => ReadStatus("VmHWM") / 1024.0;

    public double CurrentMemoryMb() => ReadStatus("VmRSS") / 1024.0;

    /// <summary>CPU time the server has used so far, user and system (fields 14 and 15 of /proc/PID/stat, in 1/100 s).</summary>
    public TimeSpan CpuTime()
    {
        var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return TimeSpan.FromSeconds((long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0);
    }

    /// <summary>CPU time the whole machine has been busy so far, all cores (the first line of /proc/stat, less idle and iowait).</summary>
    public static TimeSpan MachineBusyTime()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        return TimeSpan.FromSeconds((fields.Take(8).Sum() - fields[3] - fields[4]) / 100.0);
    }

    /// <summary>The machine's cores (<see cref="Environment.ProcessorCount"/> counts only those this process is pinned to).</summary>
    public static int MachineCores() => File.ReadLines("/proc/stat").Count(line => line.StartsWith("cpu", StringComparison.Ordinal) && char.IsDigit(line[3]));

    private long ReadStatus(string key)
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
            {
                return long.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1]);
            }
        }
        return 0;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
