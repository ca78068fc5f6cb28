namespace OrleansLog;

/// <summary>Kafka's topic name rules: 1..249 characters of [a-zA-Z0-9._-], and not "." or "..".</summary>
public static class TopicName
{
    public const int MaxLength = 249;

    /// <summary>Returns null when <paramref name="name"/> is a legal topic name, else why it is not.</summary>
    public static string? Validate(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "topic name is empty";
        }

        if (name.Length > MaxLength)
        {
            return $"topic name is {name.Length} characters long, the maximum is {MaxLength}";
        }

        if (name is "." or "..")
        {
            return $"topic name cannot be '{name}'";
        }

        foreach (char c in name)
        {
            bool legal = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '-';
            if (!legal)
            {
                return $"topic name '{name}' contains '{c}'; legal characters are ASCII letters, digits, '.', '_' and '-'";
            }
        }

        return null;
    }
}
