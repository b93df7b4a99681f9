namespace UnlearnDashboard.AppHost;

/// <summary>
/// Starts the compute server, then the dashboard, waits until both listen, and stops both when the
/// user presses Ctrl+C or either server exits.
/// </summary>
internal sealed class Launcher(LauncherOptions options, TextWriter output)
{
    private static readonly TimeSpan StopGracePeriod = TimeSpan.FromSeconds(15);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        // The dashboard would start after the compute server took the port, fail to bind and take the launcher down.
        if (PortProbe.Overlaps(options.ComputeUrl, options.WebUrl))
        {
            output.WriteLine($"error: --compute-url {Origin(options.ComputeUrl)} and --web-url {Origin(options.WebUrl)} use the same port "
                + $"{options.WebUrl.Port} on the same host, so the two servers cannot both listen. Choose another port for one of them, "
                + $"for example the defaults --compute-url {LauncherCommand.DefaultComputeUrl} --web-url {LauncherCommand.DefaultWebUrl}.");
            return 1;
        }

        // A server started on a taken port fails after the other has started, and the addresses printed would be
        // another program's, so check both before anything starts or any file is written.
        foreach (var (name, url, option) in new[] { ("compute", options.ComputeUrl, "--compute-url"), ("web", options.WebUrl, "--web-url") })
        {
            if (await PortProbe.IsInUseAsync(url, cancellationToken))
            {
                output.WriteLine($"error: {Origin(url)} is already in use, so the {name} server cannot listen there. Stop the program "
                    + $"that listens there (another UnlearnDashboard?), or choose a free port with {option}.");
                return 1;
            }
        }

        Directory.CreateDirectory(options.DataDirectory);
        var children = new List<ChildProcess>();
        try
        {
            var compute = StartCompute();
            children.Add(compute);
            if (!await WaitUntilListeningAsync(compute, options.ComputeUrl, cancellationToken))
            {
                return ExitCodeAfterFailedStart(compute, cancellationToken);
            }

            var web = StartWeb();
            children.Add(web);
            if (!await WaitUntilListeningAsync(web, options.WebUrl, cancellationToken))
            {
                return ExitCodeAfterFailedStart(web, cancellationToken);
            }

            output.WriteLine($"Compute server: {Origin(options.ComputeUrl)} (data in {options.DataDirectory})");
            output.WriteLine($"Dashboard:      {Origin(options.WebUrl)}");
            output.WriteLine("Press Ctrl+C to stop both.");

            return await WaitForFirstExitAsync(children, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
        finally
        {
            await StopAllAsync(children);
        }
    }

    private ChildProcess StartCompute()
    {
        var assemblyPath = BuildOutputs.AssemblyPath(BuildOutputs.ComputeAssembly);
        string[] arguments = ["--urls", Origin(options.ComputeUrl), "--DataDirectory", options.DataDirectory];
        return ChildProcess.Start("compute", assemblyPath, arguments, Path.GetDirectoryName(assemblyPath)!, Environment(), output);
    }

    private ChildProcess StartWeb()
    {
        var assemblyPath = BuildOutputs.AssemblyPath(BuildOutputs.WebAssembly);
        string[] arguments = ["--urls", Origin(options.WebUrl), "--ComputeUrl", Origin(options.ComputeUrl)];

        // The build output is the content root, so appsettings.json is found there. In Development, the
        // static web assets manifest next to it points to wwwroot and package assets such as MudBlazor's.
        return ChildProcess.Start("web", assemblyPath, arguments, Path.GetDirectoryName(assemblyPath)!, Environment(), output);
    }

    private Dictionary<string, string> Environment() => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = options.Environment,
    };

    private async Task<bool> WaitUntilListeningAsync(ChildProcess child, Uri url, CancellationToken cancellationToken)
    {
        if (await PortProbe.WaitUntilListeningAsync(url, child, options.StartTimeout, cancellationToken))
        {
            return true;
        }

        output.WriteLine(child.HasExited
            ? $"error: the {child.Name} server exited with code {child.ExitCode} before listening on {url}."
            : $"error: the {child.Name} server did not listen on {url} within {options.StartTimeout.TotalSeconds:0} s.");
        return false;
    }

    private static int ExitCodeAfterFailedStart(ChildProcess child, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }

        return child.HasExited && child.ExitCode != 0 ? child.ExitCode : 1;
    }

    private async Task<int> WaitForFirstExitAsync(List<ChildProcess> children, CancellationToken cancellationToken)
    {
        var exits = children.Select(child => child.WaitForExitAsync(cancellationToken)).ToList();
        var first = await Task.WhenAny(exits);
        await first;

        var exited = children[exits.IndexOf(first)];

        // On Ctrl+C in a terminal the servers receive SIGINT too, and may exit before this process
        // handles its own signal. A short wait keeps such an exit from being reported as a failure.
        await Task.Delay(TimeSpan.FromMilliseconds(500), CancellationToken.None);
        if (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }

        output.WriteLine($"error: the {exited.Name} server exited with code {exited.ExitCode}; stopping the other.");
        return exited.ExitCode != 0 ? exited.ExitCode : 1;
    }

    private async Task StopAllAsync(List<ChildProcess> children)
    {
        // Stop the dashboard first, because it depends on the compute server.
        foreach (var child in Enumerable.Reverse(children))
        {
            await child.StopAsync(StopGracePeriod);
            child.Dispose();
        }
    }

    /// <summary>Returns "scheme://host:port", the form Kestrel and gRPC clients expect.</summary>
    private static string Origin(Uri url) => url.GetLeftPart(UriPartial.Authority);
}
