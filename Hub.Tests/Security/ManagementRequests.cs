using System.Net.Http.Headers;

namespace Hub.Tests.Security;

/// <summary>Requests to the management endpoints with a bearer token.</summary>
public static class ManagementRequests
{
    public static async Task<HttpResponseMessage> GetAsync(HttpClient http, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
