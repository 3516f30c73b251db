using System.Collections.Concurrent;
using System.Diagnostics;

namespace CrowdShield.Tests.Infrastructure;

/// <summary>
/// CrowdShield as its own process (the built CrowdShield.Web.dll), as a node of a cluster runs: it can be killed
/// hard and started again on the same port, which an in-process test host cannot do.
/// </summary>
public sealed class AppNode : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly ConcurrentQueue<string> _log = new();
    private Process? _process;

    public AppNode(string name, IReadOnlyDictionary<string, string> settings)
    {
        Name = name;
        _settings = settings;
        Port = ExternalServers.FreePort();
    }

    public string Name { get; }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>The last lines the node wrote, for a failing test's message.</summary>
    public string RecentLog => string.Join('\n', _log.TakeLast(400));

    public ApiClient Api() => new(new HttpClient { BaseAddress = BaseAddress });

    public async Task StartAsync()
    {
        var web = WebProject();
        var info = new ProcessStartInfo("dotnet")
        {
            // From the project folder with the Development environment, as `dotnet run` does: the build's static web
            // assets (Blazor's script, MudBlazor) are served only there, and the pages are part of what is tested.
            WorkingDirectory = web,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(Path.Combine(web, "bin", Configuration, "net10.0", "CrowdShield.Web.dll"));
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(BaseAddress.ToString().TrimEnd('/'));
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in _settings)
        {
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start a CrowdShield node.");
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"Node {Name} exited with {process.ExitCode}:\n{RecentLog}");
            }
            try
            {
                using var response = await http.GetAsync("/health/live");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Node {Name} did not start in time:\n{RecentLog}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Ends the process at once, as a crash or a pulled plug would: no shutdown, no lease given back.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _log.Enqueue(line);
        while (_log.Count > 400 && _log.TryDequeue(out _))
        {
        }
    }

    /// <summary>Debug or Release, whichever this test assembly was built as (bin/&lt;configuration&gt;/net10.0).</summary>
    private static string Configuration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    private static string WebProject() => Path.Combine(Repository.Root, "CrowdShield.Web");
}
