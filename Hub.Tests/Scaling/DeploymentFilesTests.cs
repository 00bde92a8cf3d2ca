using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Hub.Server.Databases;
using Hub.Server.Telemetry;
using Hub.Server.Listening;
using Hub.Server.Scaling;
using Hub.Tests.Infrastructure;
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

        // The image keeps a broadcast's pipe buffers pooled instead of allocating them for every broadcast.
        Assert.Contains("ENV DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION=8192", dockerfile, StringComparison.Ordinal);
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
            var urls = Environment(services[name])["ASPNETCORE_URLS"];
            var port = new Uri(urls.Replace("+", "localhost", StringComparison.Ordinal)).Port;
            Assert.Contains(port.ToString(CultureInfo.InvariantCulture), List(Map(services[name])["expose"]).Cast<string>());
            return $"{name}:{port}";
        });
        var upstream = UpstreamServer().Matches(NginxConf()).Select(static m => m.Groups["address"].Value);
        Assert.Equal(expected.Order(StringComparer.Ordinal), upstream.Order(StringComparer.Ordinal));

        var listen = ListenPort().Match(NginxConf()).Groups["port"].Value;
        Assert.Equal($"8080:{listen}", Assert.Single(List(nginx["ports"]).Cast<string>()));
    }

    [Fact]
    public void Prometheus_scrapes_every_hub_instance_and_grafana_gets_the_committed_dashboard()
    {
        var services = Services();
        var expected = HubServices.Select(name =>
            $"{name}:{new Uri(Environment(services[name])["ASPNETCORE_URLS"].Replace("+", "localhost", StringComparison.Ordinal)).Port}");
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
            foreach (var key in Environment(services[name]).Keys)
            {
                if (key.StartsWith("ASPNETCORE_", StringComparison.Ordinal))
                {
                    continue;
                }

                Assert.True(IsBound(key.Split("__")), $"{name}: {key} is not a setting of the hub.");
            }

            var environment = Environment(services[name]);
            Assert.StartsWith("redis:", environment["Hub__Redis"], StringComparison.Ordinal);
            Assert.Contains("Host=postgres;", environment["Hub__Databases__app__ConnectionString"], StringComparison.Ordinal);
        }

        // The check itself must be able to say no.
        Assert.False(IsBound(["Hub", "ScaleOut", "ChanelPrefix"]));
        Assert.False(IsBound(["Hub", "Databases", "app", "Channels", "first"]));
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

    /// <summary>Whether configuration binding gives <paramref name="path"/> (a key split at its separators) a home in an options class.</summary>
    private static bool IsBound(string[] path)
    {
        // The backplane's key sits outside the scale-out section it binds to.
        if (path.SequenceEqual(ScaleOutOptions.RedisKey.Split(':'), StringComparer.OrdinalIgnoreCase))
        {
            return true;
        }

        var roots = new List<(string Section, Type Type)>
        {
            (RegistryOptions.SectionName, typeof(RegistryOptions)),
            (HubInstanceOptions.SectionName, typeof(HubInstanceOptions)),
            (ListenerOptions.SectionName, typeof(ListenerOptions)),
            (ScaleOutOptions.SectionName, typeof(ScaleOutOptions)),
        };
        // Options classes added later (authentication, telemetry) are found by their SectionName.
        roots.AddRange(typeof(RegistryOptions).Assembly.GetTypes()
            .Select(static t => (Type: t, Field: t.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)))
            .Where(static x => x.Field is { IsLiteral: true } && x.Field.FieldType == typeof(string))
            .Select(static x => ((string)x.Field!.GetRawConstantValue()!, x.Type)));
        if (!roots.Any(static r => r.Section == "Hub:Auth"))
        {
            // Fixed by the public contract before its options class exists in this build.
            roots.Add(("Hub:Auth", typeof(ContractAuthKeys)));
        }

        foreach (var (section, type) in roots)
        {
            var sectionPath = section.Split(':');
            if (path.Length > sectionPath.Length
                && path.Take(sectionPath.Length).SequenceEqual(sectionPath, StringComparer.OrdinalIgnoreCase)
                && Binds(type, path.Skip(sectionPath.Length).ToArray()))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Binds(Type type, string[] rest)
    {
        if (rest.Length == 0)
        {
            return type == typeof(string) || type.IsValueType || Nullable.GetUnderlyingType(type) is not null;
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            return Binds(type.GetGenericArguments()[1], rest[1..]);
        }

        if (type != typeof(string) && type.IsAssignableTo(typeof(IEnumerable)))
        {
            var element = type.IsArray ? type.GetElementType()! : type.GetGenericArguments()[0];
            return int.TryParse(rest[0], NumberStyles.None, CultureInfo.InvariantCulture, out _) && Binds(element, rest[1..]);
        }

        var property = type.GetProperty(rest[0], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        return property is { CanWrite: true } && Binds(property.PropertyType, rest[1..]);
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

    /// <summary>The authentication keys of the public contract.</summary>
    private sealed class ContractAuthKeys
    {
        public string? Issuer { get; set; }

        public string? Audience { get; set; }

        public string? SigningKey { get; set; }

        public string? Authority { get; set; }

        public bool AllowAnonymous { get; set; }
    }
}
