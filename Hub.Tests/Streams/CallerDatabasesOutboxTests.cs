using System.Text.Json;
using Hub.Tests.Infrastructure;

namespace Hub.Tests.Streams;

public sealed class CallerDatabasesOutboxTests(SharedPostgres postgres)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_database_list_says_which_databases_keep_a_durable_stream(bool outbox)
    {
        var builder = HubFixture.For(postgres.Server);
        if (outbox)
        {
            builder = builder.Configure(static settings => OutboxScenario.Enable(settings));
        }

        await using var fixture = await builder.StartAsync();
        using var http = new HttpClient { BaseAddress = fixture.Hub.BaseUrl };

        using var list = JsonDocument.Parse(await http.GetStringAsync("/api/databases", TestContext.Current.CancellationToken));

        var database = Assert.Single(list.RootElement.GetProperty("databases").EnumerateArray());
        Assert.Equal(fixture.Database, database.GetProperty("name").GetString());
        Assert.Equal(outbox, database.GetProperty("outbox").GetBoolean());
    }
}
