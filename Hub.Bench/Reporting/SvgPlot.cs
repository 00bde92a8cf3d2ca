using System.Globalization;
using System.Net;
using System.Text;

namespace Hub.Bench.Reporting;

/// <summary>Draws latency over the run (p50, p99 and max per half second, log scale) as a self-contained SVG.</summary>
public static class SvgPlot
{
    private const int Width = 900;
    private const int Height = 420;
    private const int Left = 70;
    private const int Right = 20;
    private const int Top = 40;
    private const int Bottom = 50;

    public static string Render(BenchResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var points = result.Timeline.Where(static p => p.Count > 0).ToArray();
        var svg = new StringBuilder();
        Append(svg, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"12\">");
        Append(svg, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>");
        var title = $"{result.Label ?? "hub bench"}: {result.Connections:N0} connections, {result.Rate} NOTIFY/s, {result.Protocol}";
        Append(svg, $"<text x=\"{Left}\" y=\"22\" font-size=\"14\">{WebUtility.HtmlEncode(title)}</text>");
        if (points.Length == 0)
        {
            Append(svg, $"<text x=\"{Left}\" y=\"{Height / 2}\">no deliveries</text></svg>");
            return svg.ToString();
        }

        var maxSeconds = Math.Max(1, points.Max(static p => p.AtSeconds) + 0.5);
        var lowMs = 0.1;
        var highMs = Math.Pow(10, Math.Ceiling(Math.Log10(Math.Max(1, points.Max(static p => p.MaxMs)))));
        double X(double seconds) => Left + (seconds / maxSeconds * (Width - Left - Right));
        double Y(double ms) => Height - Bottom - ((Math.Log10(Math.Max(ms, lowMs)) - Math.Log10(lowMs)) / (Math.Log10(highMs) - Math.Log10(lowMs)) * (Height - Top - Bottom));

        for (var ms = lowMs; ms <= highMs * 1.001; ms *= 10)
        {
            Append(svg, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Y(ms):F1}\" y2=\"{Y(ms):F1}\" stroke=\"#ddd\"/>");
            Append(svg, $"<text x=\"{Left - 6}\" y=\"{Y(ms) + 4:F1}\" text-anchor=\"end\">{ms:0.#} ms</text>");
        }

        var step = Math.Max(1, Math.Ceiling(maxSeconds / 10));
        for (var s = 0.0; s <= maxSeconds; s += step)
        {
            Append(svg, $"<text x=\"{X(s):F1}\" y=\"{Height - Bottom + 18}\" text-anchor=\"middle\">{s:0} s</text>");
        }

        Append(svg, $"<text x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 12}\" text-anchor=\"middle\">time since publishing started (by send time)</text>");
        Series(svg, points, static p => p.MaxMs, "#d62728", X, Y);
        Series(svg, points, static p => p.P99Ms, "#ff7f0e", X, Y);
        Series(svg, points, static p => p.P50Ms, "#1f77b4", X, Y);
        var legend = new[] { ("p50", "#1f77b4"), ("p99", "#ff7f0e"), ("max", "#d62728") };
        for (var i = 0; i < legend.Length; i++)
        {
            var x = Width - Right - 200 + (i * 65);
            Append(svg, $"<line x1=\"{x}\" x2=\"{x + 20}\" y1=\"18\" y2=\"18\" stroke=\"{legend[i].Item2}\" stroke-width=\"2\"/>");
            Append(svg, $"<text x=\"{x + 25}\" y=\"22\">{legend[i].Item1}</text>");
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    private static void Series(StringBuilder svg, LatencyPoint[] points, Func<LatencyPoint, double> value, string color, Func<double, double> x, Func<double, double> y)
    {
        var path = string.Join(' ', points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{x(p.AtSeconds):F1},{y(value(p)):F1}")));
        Append(svg, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{path}\"/>");
    }

    private static void Append(StringBuilder svg, FormattableString text) => svg.Append(text.ToString(CultureInfo.InvariantCulture));
}
