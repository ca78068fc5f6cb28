using YamlDotNet.RepresentationModel;

namespace OrleansLog.Silo.Tests;

/// <summary>
/// docker-compose.yml read as Compose reads it, for the parts the tests check: services with their
/// environment, ports, volumes, healthcheck and dependencies, and the top-level named volumes. Merge
/// keys (<c>&lt;&lt;: *anchor</c>) are resolved the way Compose does: the service's own keys win.
/// </summary>
internal sealed class ComposeFile
{
    private ComposeFile(IReadOnlyDictionary<string, YamlMappingNode> services, IReadOnlySet<string> volumes)
    {
        Services = services;
        Volumes = volumes;
    }

    public IReadOnlyDictionary<string, YamlMappingNode> Services { get; }

    public IReadOnlySet<string> Volumes { get; }

    public static ComposeFile Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var services = new Dictionary<string, YamlMappingNode>(StringComparer.Ordinal);
        foreach ((YamlNode name, YamlNode service) in (YamlMappingNode)root.Children[new YamlScalarNode("services")])
        {
            services[((YamlScalarNode)name).Value!] = Merged((YamlMappingNode)service);
        }

        var volumes = new HashSet<string>(StringComparer.Ordinal);
        if (root.Children.TryGetValue(new YamlScalarNode("volumes"), out YamlNode? declared))
        {
            foreach (YamlNode name in ((YamlMappingNode)declared).Children.Keys)
            {
                volumes.Add(((YamlScalarNode)name).Value!);
            }
        }

        return new ComposeFile(services, volumes);
    }

    /// <summary>A scalar value at a key path, or null.</summary>
    public static string? Scalar(YamlMappingNode node, params string[] path)
    {
        YamlNode current = node;
        foreach (string key in path)
        {
            if (current is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out YamlNode? next))
            {
                return null;
            }

            current = next;
        }

        return (current as YamlScalarNode)?.Value;
    }

    /// <summary>The items of a sequence at a key, as scalars (empty when absent).</summary>
    public static IReadOnlyList<string> Sequence(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out YamlNode? value) && value is YamlSequenceNode sequence
            ? [.. sequence.Children.Select(c => ((YamlScalarNode)c).Value!)]
            : [];

    /// <summary>A service's environment as a dictionary (Compose accepts a mapping or KEY=VALUE items).</summary>
    public static IReadOnlyDictionary<string, string> Environment(YamlMappingNode service)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!service.Children.TryGetValue(new YamlScalarNode("environment"), out YamlNode? environment))
        {
            return result;
        }

        if (environment is YamlMappingNode mapping)
        {
            foreach ((YamlNode key, YamlNode value) in mapping)
            {
                result[((YamlScalarNode)key).Value!] = ((YamlScalarNode)value).Value ?? string.Empty;
            }
        }
        else
        {
            foreach (YamlNode item in (YamlSequenceNode)environment)
            {
                string text = ((YamlScalarNode)item).Value!;
                int equals = text.IndexOf('=', StringComparison.Ordinal);
                result[equals < 0 ? text : text[..equals]] = equals < 0 ? string.Empty : text[(equals + 1)..];
            }
        }

        return result;
    }

    private static YamlMappingNode Merged(YamlMappingNode service)
    {
        var merge = new YamlScalarNode("<<");
        if (!service.Children.TryGetValue(merge, out YamlNode? template))
        {
            return service;
        }

        var result = new YamlMappingNode();
        foreach ((YamlNode key, YamlNode value) in (YamlMappingNode)template)
        {
            result.Add(key, value);
        }

        foreach ((YamlNode key, YamlNode value) in service)
        {
            if (!key.Equals(merge))
            {
                result.Children[key] = value;
            }
        }

        return result;
    }
}
