using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hub.Server.Configuration;
using Hub.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Hub.Tests.Scaling;

/// <summary>
/// docker-compose.yml and nginx/nginx.conf cannot run here (no Docker engine), so these tests check what can be
/// checked without it: the services, that nginx proxies to exactly the hub instances on the port they listen on,
/// and that every setting given to an instance is one the hub binds.
/// </summary>
public sealed partial class DeploymentFilesTests
{
    private static readonly string[] HubServices = ["hub1", "hub2", "hub3"];

    [Fact]
    public void Compose_runs_postgres_redis_three_hub_instances_nginx_prometheus_and_grafana()
    {
        var services = Services();
        Assert.Equal(["grafana", "hub1", "hub2", "hub3", "nginx", "postgres", "prometheus", "redis"], services.Keys.Order(StringComparer.Ordinal));
        foreach (var name in HubServices)
        {
            var build = Map(Map(services[name])["build"]);
            Assert.True(File.Exists(RepositoryFiles.PathOf(".", (string)build["dockerfile"]!)), $"{name}: Dockerfile missing");
            Assert.Equal(name, Environment(services[name])["Hub__InstanceId"]);

            // Tens of thousands of connections need as many open files.
            var files = Map(Map(Map(services[name])["ulimits"])["nofile"]);
            Assert.True(int.Parse((string)files["soft"]!, CultureInfo.InvariantCulture) >= 65536, $"{name}: open-file limit too low");
        }

        Assert.Equal(HubServices.Length, HubServices.Select(name => Environment(services[name])["Hub__InstanceId"]).Distinct().Count());

        // The hub's build bundles the JavaScript client for the live page, so the image build needs its sources.
        var dockerfile = File.ReadAllText(RepositoryFiles.PathOf("Hub.Server", "Dockerfile"));
        Assert.Contains("COPY clients/js/ clients/js/", dockerfile, StringComparison.Ordinal);
        Assert.Contains("COPY Hub.Server/ Hub.Server/", dockerfile, StringComparison.Ordinal);

        // The runtime settings ship in the hub's runtimeconfig, so the image sets none of its own.
        Assert.DoesNotContain("DOTNET_SYSTEM_BUFFERS", dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void Nginx_proxies_to_exactly_the_hub_instances_on_the_port_they_listen_on()
    {
        var services = Services();
        var nginx = Map(services["nginx"]);
        var volume = Assert.Single(List(nginx["volumes"]).Cast<string>());
        Assert.Equal("./nginx/nginx.conf:/etc/nginx/nginx.conf:ro", volume);

        var expected = HubServices.Select(name =>
        {
            var port = HubPort(services[name]);
            Assert.Contains(port.ToString(CultureInfo.InvariantCulture), List(Map(services[name])["expose"]).Cast<string>());
            return $"{name}:{port}";
        });
        var upstream = UpstreamServer().Matches(NginxConf()).Select(static m => m.Groups["address"].Value);
        Assert.Equal(expected.Order(StringComparer.Ordinal), upstream.Order(StringComparer.Ordinal));

        var listen = ListenPort().Match(NginxConf()).Groups["port"].Value;
        Assert.Equal($"127.0.0.1:8080:{listen}", Assert.Single(List(nginx["ports"]).Cast<string>()));
    }

    [Fact]
    public void Prometheus_scrapes_every_hub_instance_and_grafana_gets_the_committed_dashboard()
    {
        var services = Services();
        var expected = HubServices.Select(name =>
            $"{name}:{HubPort(services[name])}");
        var prometheus = Map(new DeserializerBuilder().Build().Deserialize<object>(File.ReadAllText(RepositoryFiles.PathOf("prometheus", "prometheus.yml"))));
        var job = Map(Assert.Single(List(prometheus["scrape_configs"])));
        Assert.Equal("/metrics", job["metrics_path"]);
        var targets = List(Map(Assert.Single(List(job["static_configs"])))["targets"]).Cast<string>();
        Assert.Equal(expected.Order(StringComparer.Ordinal), targets.Order(StringComparer.Ordinal));
        Assert.Contains("./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro", List(Map(services["prometheus"])["volumes"]).Cast<string>());

        var grafanaVolumes = List(Map(services["grafana"])["volumes"]).Cast<string>().ToArray();
        foreach (var volume in grafanaVolumes)
        {
            var source = volume.Split(':')[0];
            Assert.True(Directory.Exists(RepositoryFiles.PathOf(".", source)), $"grafana volume {source} does not exist");
        }

        var home = Environment(services["grafana"])["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"];
        Assert.Equal("/var/lib/grafana/dashboards/notify-hub.json", home);
        Assert.True(File.Exists(RepositoryFiles.PathOf("grafana", "dashboards", "notify-hub.json")));
    }

    [Fact]
    public void Every_hub_setting_in_compose_is_bound_by_the_hub()
    {
        var services = Services();
        foreach (var name in HubServices)
        {
            var environment = Environment(services[name]);
            Assert.Empty(UnknownKeys(environment.Keys));
            Assert.StartsWith("redis:", environment["Hub__Redis"], StringComparison.Ordinal);
            Assert.Contains("Host=postgres;", environment["Hub__Databases__app__ConnectionString"], StringComparison.Ordinal);
        }

        // The check itself must be able to say no.
        Assert.Equal(["Hub:ScaleOut:ChanelPrefix"], UnknownKeys(["Hub__ScaleOut__ChanelPrefix"]));
        Assert.Equal(["Hub:Databases:app:Channels:first"], UnknownKeys(["Hub__Databases__app__Channels__first"]));
    }

    [Fact]
    public void Compose_publishes_on_loopback_only_checks_every_service_and_grafana_needs_a_login()
    {
        var services = Services();
        foreach (var (name, service) in services)
        {
            Assert.True(Map(service).ContainsKey("healthcheck"), $"{name} has no healthcheck");
            if (Map(service).TryGetValue("ports", out var ports))
            {
                Assert.All(List(ports).Cast<string>(), port => Assert.StartsWith("127.0.0.1:", port, StringComparison.Ordinal));
            }
        }

        foreach (var name in HubServices)
        {
            Assert.False(Environment(services[name]).ContainsKey("ASPNETCORE_URLS"), $"{name}: ASPNETCORE_URLS overrides the image's HTTP_PORTS");
            var test = List(Map(Map(services[name])["healthcheck"])["test"]).Cast<string>();
            Assert.Equal(["CMD", "dotnet", "Hub.Server.dll", "--health-check"], test);
        }

        // nginx starts once the hubs answer.
        var nginxDependsOn = Map(Map(services["nginx"])["depends_on"]);
        Assert.All(HubServices, hub => Assert.Equal("service_healthy", Map(nginxDependsOn[hub])["condition"]));

        var grafana = Environment(services["grafana"]);
        Assert.Equal("false", grafana["GF_AUTH_ANONYMOUS_ENABLED"]);
        Assert.False(grafana.ContainsKey("GF_AUTH_ANONYMOUS_ORG_ROLE"));
    }

    [Fact]
    public void Dockerfile_restores_before_copying_the_sources_and_checks_health_without_curl()
    {
        var dockerfile = File.ReadAllText(RepositoryFiles.PathOf("Hub.Server", "Dockerfile"));
        var restore = dockerfile.IndexOf("RUN dotnet restore", StringComparison.Ordinal);
        Assert.True(restore > 0);
        var project = dockerfile.IndexOf("COPY Hub.Server/Hub.Server.csproj Hub.Server/", StringComparison.Ordinal);
        Assert.InRange(project, 0, restore);
        Assert.True(dockerfile.IndexOf("COPY Hub.Server/ Hub.Server/", StringComparison.Ordinal) > restore, "the sources are copied after the restore");
        Assert.True(dockerfile.IndexOf("COPY clients/js/ clients/js/", StringComparison.Ordinal) > restore, "the client's sources are copied after npm ci");
        // Every file the project imports at restore time is copied before it.
        foreach (Match import in ProjectImport().Matches(File.ReadAllText(RepositoryFiles.PathOf("Hub.Server", "Hub.Server.csproj"))))
        {
            var path = $"Hub.Server/{import.Groups["path"].Value.Replace('\\', '/')}";
            var at = dockerfile.IndexOf($"COPY {path} ", StringComparison.Ordinal);
            Assert.True(at > 0 && at < restore, $"{path} is not copied before the restore");
        }

        Assert.DoesNotContain("ENV ASPNETCORE_URLS", dockerfile, StringComparison.Ordinal);
        Assert.Contains("ENV ASPNETCORE_HTTP_PORTS=8080", dockerfile, StringComparison.Ordinal);
        Assert.Matches("""HEALTHCHECK [^\n]*CMD \["dotnet", "Hub.Server.dll", "--health-check"\]""", dockerfile);
    }

    [Fact]
    public void Grafana_dashboard_imports_in_the_UI_and_is_provisioned_alike()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(RepositoryFiles.PathOf("grafana", "dashboards", "notify-hub.json")));
        var root = dashboard.RootElement;
        var input = Assert.Single(root.GetProperty("__inputs").EnumerateArray());
        Assert.Equal("DS_PROMETHEUS", input.GetProperty("name").GetString());
        Assert.Equal("prometheus", input.GetProperty("pluginId").GetString());
        // Provisioning does not fill __inputs: a datasource variable of the same name resolves ${DS_PROMETHEUS} there.
        var variable = root.GetProperty("templating").GetProperty("list").EnumerateArray().Single(static v => v.GetProperty("name").GetString() == "DS_PROMETHEUS");
        Assert.Equal("datasource", variable.GetProperty("type").GetString());
        Assert.Equal("prometheus", variable.GetProperty("query").GetString());

        var uids = DatasourceUids(root).ToList();
        Assert.NotEmpty(uids);
        Assert.All(uids, static uid => Assert.Equal("${DS_PROMETHEUS}", uid));
    }

    [Fact]
    public async Task Nginx_config_is_production_grade_and_its_local_rendering_is_valid()
    {
        var conf = NginxConf();
        Assert.Matches(@"map \$http_upgrade \$connection_upgrade", conf);
        Assert.Matches(@"proxy_set_header Upgrade \$http_upgrade;", conf);
        Assert.Matches(@"proxy_set_header Connection \$connection_upgrade;", conf);
        Assert.Matches(@"proxy_http_version 1\.1;", conf);
        Assert.Matches(@"\n\s*keepalive \d+;", conf);
        Assert.Matches(@"proxy_buffering off;", conf);
        Assert.Matches(@"proxy_read_timeout 86400s;", conf);
        Assert.Matches(@"proxy_send_timeout 86400s;", conf);
        Assert.Matches(@"hash \$hub_affinity consistent;", conf);
        Assert.True(int.Parse(Regex.Match(conf, @"worker_connections (\d+);").Groups[1].Value, CultureInfo.InvariantCulture) >= 20_000,
            "one worker must hold 10,000 clients, two connections each");
        Assert.All(UpstreamServer().Matches(conf), static m => Assert.Matches(@"max_fails=\d+ fail_timeout=\d+s", m.Value));

        var root = Directory.CreateTempSubdirectory("hub-tests-nginx-conf-").FullName;
        try
        {
            var rendered = await ExternalProcess.RunAsync("bash", [RepositoryFiles.PathOf("scripts", "nginx-conf.sh"), "18080", root, "5001", "5002"]);
            Assert.Equal(["127.0.0.1:5001", "127.0.0.1:5002"], RenderedServer().Matches(rendered).Select(static m => m.Groups["address"].Value));
            var file = Path.Combine(root, "nginx.conf");
            await File.WriteAllTextAsync(file, rendered, TestContext.Current.CancellationToken);
            var check = await ExternalProcess.RunAsync("nginx", ["-t", "-e", "stderr", "-p", root, "-c", file, "-g", $"pid {Path.Combine(root, "nginx.pid")};"]);
            Assert.Contains("syntax is ok", check, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The keys among environment variable names <paramref name="keys"/> that no options class of the hub binds.</summary>
    private static string[] UnknownKeys(IEnumerable<string> keys)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(keys.Select(static k => new KeyValuePair<string, string?>(k.Replace("__", ":", StringComparison.Ordinal), "x")))
            .Build();
        return UnknownSettings.Find(configuration).Select(static u => u.Key).ToArray();
    }

    private static int HubPort(object? service)
        => int.Parse(Environment(service)["ASPNETCORE_HTTP_PORTS"], CultureInfo.InvariantCulture);

    private static IEnumerable<string?> DatasourceUids(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (property.Name == "datasource" && property.Value.ValueKind == JsonValueKind.Object)
                {
                    yield return property.Value.GetProperty("uid").GetString();
                }

                foreach (var uid in DatasourceUids(property.Value))
                {
                    yield return uid;
                }
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var uid in element.EnumerateArray().SelectMany(DatasourceUids))
            {
                yield return uid;
            }
        }
    }

    private static Dictionary<string, object?> Services()
    {
        var deserializer = new DeserializerBuilder().Build();
        using var reader = new StringReader(File.ReadAllText(RepositoryFiles.PathOf("docker-compose.yml")));
        // MergingParser resolves the '<<: *hub' merge keys the way Docker Compose does.
        var compose = Map(deserializer.Deserialize<object>(new MergingParser(new Parser(reader))));
        return Map(compose["services"]);
    }

    private static Dictionary<string, string> Environment(object? service)
        => Map(Map(service)["environment"]).ToDictionary(static p => p.Key, static p => Convert.ToString(p.Value, CultureInfo.InvariantCulture)!, StringComparer.Ordinal);

    private static Dictionary<string, object?> Map(object? node)
        => Assert.IsType<Dictionary<object, object?>>(node).ToDictionary(static p => (string)p.Key, static p => p.Value, StringComparer.Ordinal);

    private static List<object?> List(object? node) => Assert.IsType<List<object?>>(node);

    private static string NginxConf() => File.ReadAllText(RepositoryFiles.PathOf("nginx", "nginx.conf"));

    [GeneratedRegex(@"^\s*server (?<address>hub\d+:\d+)[^;]*;", RegexOptions.Multiline)]
    private static partial Regex UpstreamServer();

    [GeneratedRegex(@"^\s*server (?<address>127\.0\.0\.1:\d+)[^;]*;", RegexOptions.Multiline)]
    private static partial Regex RenderedServer();

    [GeneratedRegex(@"^\s*listen (?<port>\d+);", RegexOptions.Multiline)]
    private static partial Regex ListenPort();

    [GeneratedRegex("""<Import Project="(?<path>[^"]+)"\s*/>""")]
    private static partial Regex ProjectImport();
}
