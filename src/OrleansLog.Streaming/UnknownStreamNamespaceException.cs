namespace OrleansLog.Streaming;

/// <summary>A stream's namespace is not mapped to a topic in its provider; the message names it and the mapped ones.</summary>
[GenerateSerializer]
public sealed class UnknownStreamNamespaceException : Exception
{
    public UnknownStreamNamespaceException()
    {
    }

    public UnknownStreamNamespaceException(string message)
        : base(message)
    {
    }

    public UnknownStreamNamespaceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
