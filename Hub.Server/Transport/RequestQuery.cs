using Microsoft.AspNetCore.WebUtilities;

namespace Hub.Server.Transport;

/// <summary>
/// One parameter of a request's query string, read without <c>HttpRequest.Query</c>: that parses the whole query into
/// a collection the request keeps, and a WebSocket request lives as long as its connection.
/// </summary>
internal static class RequestQuery
{
    /// <summary>The first value of <paramref name="name"/> in <paramref name="request"/>'s query string, decoded; null when absent.</summary>
    public static string? Value(HttpRequest request, string name)
    {
        foreach (var pair in new QueryStringEnumerable(request.QueryString.Value))
        {
            if (pair.EncodedName.Span.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return pair.DecodeValue().ToString();
            }
        }

        return null;
    }
}
