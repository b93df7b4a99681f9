using System.CommandLine;

namespace UnlearnDashboard.AppHost;

/// <summary>Command line of the launcher.</summary>
internal static class LauncherCommand
{
    public const string DefaultComputeUrl = "http://127.0.0.1:5001";
    public const string DefaultWebUrl = "http://127.0.0.1:5000";

    public static RootCommand Create()
    {
        var computeUrl = UrlOption("--compute-url", "URL the compute server listens on (gRPC, HTTP/2 without TLS).", DefaultComputeUrl);
        var webUrl = UrlOption("--web-url", "URL the dashboard listens on.", DefaultWebUrl);
        var dataDirectory = new Option<string>("--data-directory")
        {
            Description = "Folder where the compute server keeps its database, uploads and model weights (default: data/ in the repository root).",
            HelpName = "PATH",
            DefaultValueFactory = _ => Path.Combine(BuildOutputs.RepoRoot, "data"),
        };
        var environment = new Option<string>("--environment")
        {
            Description = "ASP.NET Core environment of both servers. Development serves the dashboard's static files from the build output.",
            DefaultValueFactory = _ => "Development",
        };
        var startTimeout = new Option<int>("--start-timeout")
        {
            Description = "Seconds each server may take to start listening before the launcher gives up.",
            HelpName = "SECONDS",
            DefaultValueFactory = _ => 120,
        };
        startTimeout.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && (!int.TryParse(result.Tokens[^1].Value, out var seconds) || seconds < 1))
            {
                result.AddError($"Invalid value '{result.Tokens[^1].Value}' for option '--start-timeout': expected a whole number of seconds >= 1.");
            }
        });

        var rootCommand = new RootCommand("Start the UnlearnDashboard compute server and dashboard from their build outputs, and stop both on Ctrl+C.")
        {
            computeUrl, webUrl, dataDirectory, environment, startTimeout,
        };
        rootCommand.SetAction((parseResult, cancellationToken) =>
        {
            var options = new LauncherOptions(
                parseResult.GetRequiredValue(computeUrl),
                parseResult.GetRequiredValue(webUrl),
                Path.GetFullPath(parseResult.GetRequiredValue(dataDirectory)),
                parseResult.GetRequiredValue(environment),
                TimeSpan.FromSeconds(parseResult.GetValue(startTimeout)));
            return new Launcher(options, Console.Out).RunAsync(cancellationToken);
        });
        return rootCommand;
    }

    private static Option<Uri> UrlOption(string name, string description, string defaultUrl) => new(name)
    {
        Description = description,
        HelpName = "URL",
        DefaultValueFactory = _ => new Uri(defaultUrl),
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : defaultUrl;
            if (Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttp && url.Port > 0)
            {
                return url;
            }

            result.AddError($"Invalid value '{text}' for option '{name}': expected http://HOST:PORT, for example {defaultUrl}.");
            return null;
        },
    };
}
