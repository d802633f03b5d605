using System.Globalization;

namespace DigitGan.Shared.Runs;

/// <summary>
/// A filter over runs' parameters and summary metrics, e.g. <c>learningRate &gt;= 2e-4 and fid &lt; 30</c>: comparisons
/// (= == != &lt; &lt;= &gt; &gt;=) of a field with a number or a word ('quoted' or "quoted" when it has spaces), joined
/// by and / or / not and parentheses. The runs table and GET /api/runs?filter= share it. A run without a value for a
/// field (no evaluation yet, an empty optional field) matches no comparison of it.
/// </summary>
public sealed class RunFilter
{
    private readonly Func<RunSummary, bool> _matches;

    private RunFilter(string text, Func<RunSummary, bool> matches) => (Text, _matches) = (text, matches);

    public string Text { get; }

    private static readonly (string Name, string Meaning, Func<RunSummary, object?> Get)[] Metrics =
    [
        ("fid", "the final (newest) FID", r => r.LatestFid),
        ("bestFid", "the lowest FID of any evaluation", r => r.BestFid),
        ("is", "the final inception score", r => r.LatestInceptionScore),
        ("classes", "the final number of classes at 5% or more", r => (double?)r.LatestClasses),
        ("minutes", "minutes spent training", r => r.TrainingSeconds / 60),
        ("imagesPerSecond", "training speed in images per second", r => r.ImagesPerSecond),
        ("epoch", "epochs trained so far", r => (double)r.Epoch),
        ("status", "Queued, Running, Succeeded, Failed, Cancelled or Damaged", r => r.Status.ToString()),
        ("tag", "a tag the run has (tag = x; tag != x: runs without it)", r => r.Tags),
    ];

    /// <summary>Every field name a filter can use, with what it reads.</summary>
    public static IReadOnlyList<(string Name, string Meaning)> Fields { get; } =
    [
        .. Metrics.Select(m => (m.Name, m.Meaning)),
        .. RunSpecSchema.Fields.Where(f => f.Name != "notes").Select(f => (f.Name, $"the spec's {f.Label.ToLowerInvariant()}")),
    ];

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase) { ["lr"] = "learningRate", ["tags"] = "tag" };

    public bool Matches(RunSummary run) => _matches(run);

    /// <summary>The filter of an expression; null for an empty one; <see cref="RunFilterException"/> naming the position of a problem.</summary>
    public static RunFilter? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (text.Length > 2000)
        {
            throw new RunFilterException(2001, "A filter is at most 2,000 characters.");
        }

        var parser = new Parser(Tokenize(text), text.Length);
        var matches = parser.ParseOr();
        parser.ExpectEnd();
        return new RunFilter(text.Trim(), matches);
    }

    public override string ToString() => Text;

    private enum TokenKind
    {
        Word,
        Text,
        Number,
        Operator,
        Open,
        Close,
    }

    private sealed record Token(TokenKind Kind, string Value, int Position);

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            var position = i + 1;
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '(' or ')')
            {
                tokens.Add(new Token(c == '(' ? TokenKind.Open : TokenKind.Close, c.ToString(), position));
                i++;
            }
            else if (c is '<' or '>' or '=' or '!')
            {
                var two = i + 1 < text.Length && text[i + 1] == '=';
                var op = two ? text.Substring(i, 2) : c.ToString();
                if (op == "!")
                {
                    throw new RunFilterException(position, "'!' must be followed by '=' (use != or not).");
                }

                tokens.Add(new Token(TokenKind.Operator, op == "==" ? "=" : op, position));
                i += op.Length;
            }
            else if (c is '\'' or '"')
            {
                var end = text.IndexOf(c, i + 1);
                if (end < 0)
                {
                    throw new RunFilterException(position, $"The text starting here has no closing {c}.");
                }

                tokens.Add(new Token(TokenKind.Text, text[(i + 1)..end], position));
                i = end + 1;
            }
            else if (char.IsAsciiDigit(c) || (c is '-' or '+' or '.' && i + 1 < text.Length && (char.IsAsciiDigit(text[i + 1]) || text[i + 1] == '.')))
            {
                var start = i;
                i++;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '.' || ((text[i] is '-' or '+') && text[i - 1] is 'e' or 'E')))
                {
                    i++;
                }

                var number = text[start..i];
                if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                {
                    throw new RunFilterException(position, $"'{number}' is not a number (write e.g. 0.0002 or 2e-4).");
                }

                tokens.Add(new Token(TokenKind.Number, number, position));
            }
            else if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '-' or '.'))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Word, text[start..i], position));
            }
            else
            {
                throw new RunFilterException(position, $"Unexpected character '{c}'.");
            }
        }

        return tokens;
    }

    private sealed class Parser(List<Token> tokens, int length)
    {
        private int _next;

        private Token? Peek => _next < tokens.Count ? tokens[_next] : null;

        private int EndPosition => length + 1;

        public void ExpectEnd()
        {
            if (Peek is { } extra)
            {
                throw new RunFilterException(extra.Position, $"Expected 'and', 'or' or the end, not '{extra.Value}'.");
            }
        }

        public Func<RunSummary, bool> ParseOr()
        {
            var left = ParseAnd();
            while (IsKeyword(Peek, "or"))
            {
                _next++;
                var (a, b) = (left, ParseAnd());
                left = run => a(run) || b(run);
            }

            return left;
        }

        private Func<RunSummary, bool> ParseAnd()
        {
            var left = ParseUnary();
            while (IsKeyword(Peek, "and"))
            {
                _next++;
                var (a, b) = (left, ParseUnary());
                left = run => a(run) && b(run);
            }

            return left;
        }

        private Func<RunSummary, bool> ParseUnary()
        {
            var token = Peek ?? throw new RunFilterException(EndPosition, "The filter ends where a comparison such as fid < 30 should follow.");
            if (IsKeyword(token, "not"))
            {
                _next++;
                var inner = ParseUnary();
                return run => !inner(run);
            }

            if (token.Kind == TokenKind.Open)
            {
                _next++;
                var inner = ParseOr();
                if (Peek is not { Kind: TokenKind.Close })
                {
                    throw new RunFilterException(Peek?.Position ?? EndPosition, $"Expected ')' to close the '(' at position {token.Position}.");
                }

                _next++;
                return inner;
            }

            return ParseComparison();
        }

        private Func<RunSummary, bool> ParseComparison()
        {
            var fieldToken = tokens[_next];
            if (fieldToken.Kind != TokenKind.Word || IsKeyword(fieldToken, "and") || IsKeyword(fieldToken, "or"))
            {
                throw new RunFilterException(fieldToken.Position, $"Expected a field name such as fid or learningRate, not '{fieldToken.Value}'.");
            }

            _next++;
            var get = Field(fieldToken);
            var op = Peek is { Kind: TokenKind.Operator } o ? o : throw new RunFilterException(Peek?.Position ?? EndPosition, $"Expected a comparison (=, !=, <, <=, >, >=) after '{fieldToken.Value}'.");
            _next++;
            var value = Peek is { Kind: TokenKind.Word or TokenKind.Text or TokenKind.Number } v && !IsKeyword(v, "and") && !IsKeyword(v, "or")
                ? v
                : throw new RunFilterException(Peek?.Position ?? EndPosition, $"Expected a value after '{fieldToken.Value} {op.Value}'.");
            _next++;
            return Compare(fieldToken, get, op, value);
        }

        private static Func<RunSummary, object?> Field(Token token)
        {
            var name = Aliases.TryGetValue(token.Value, out var alias) ? alias : token.Value;
            if (Metrics.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase)) is { Get: not null } metric)
            {
                return metric.Get;
            }

            if (RunSpecSchema.Fields.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase) && f.Name != "notes") is { } field)
            {
                return field.Kind switch
                {
                    RunSpecFieldKind.Int => run => run.Spec is { } spec ? (double)((RunSpecField<int>)field).Get(spec) : null,
                    RunSpecFieldKind.OptionalInt => run => run.Spec is { } spec ? (double?)((RunSpecField<int?>)field).Get(spec) : null,
                    RunSpecFieldKind.Long => run => run.Spec is { } spec ? (double)((RunSpecField<long>)field).Get(spec) : null,
                    RunSpecFieldKind.Double => run => run.Spec is { } spec ? ((RunSpecField<double>)field).Get(spec) : null,
                    RunSpecFieldKind.Text => run => run.Name,
                    _ => run => run.Spec is { } spec ? field.Display(spec) is { Length: > 0 } shown ? shown : null : null,
                };
            }

            throw new RunFilterException(token.Position, $"Unknown field '{token.Value}'; use one of {string.Join(", ", Fields.Select(f => f.Name))}.");
        }

        private static Func<RunSummary, bool> Compare(Token field, Func<RunSummary, object?> get, Token op, Token value)
        {
            // What a field holds shows in a run that has every value.
            var sample = get(new RunSummary { RunId = Guid.Empty, Name = "", Spec = new RunSpec { TrainSubset = 1, MaxStepsPerEpoch = 1 }, LatestFid = 0, BestFid = 0, LatestInceptionScore = 0, LatestClasses = 0 });
            var numeric = sample is double;
            if (sample is IReadOnlyList<string>)
            {
                if (op.Value is not ("=" or "!="))
                {
                    throw new RunFilterException(op.Position, $"{field.Value} takes = or != (has the tag, or not).");
                }

                var tag = value.Value;
                return op.Value == "="
                    ? run => get(run) is IReadOnlyList<string> tags && tags.Contains(tag, StringComparer.Ordinal)
                    : run => get(run) is not IReadOnlyList<string> tags || !tags.Contains(tag, StringComparer.Ordinal);
            }

            if (numeric)
            {
                if (value.Kind != TokenKind.Number)
                {
                    throw new RunFilterException(value.Position, $"{field.Value} is a number; '{value.Value}' is not one.");
                }

                var number = double.Parse(value.Value, NumberStyles.Float, CultureInfo.InvariantCulture);
                Func<double, bool> test = op.Value switch
                {
                    "=" => x => x == number,
                    "!=" => x => x != number,
                    "<" => x => x < number,
                    "<=" => x => x <= number,
                    ">" => x => x > number,
                    _ => x => x >= number,
                };
                return run => get(run) is double x && test(x);
            }

            if (op.Value is not ("=" or "!="))
            {
                throw new RunFilterException(op.Position, $"{field.Value} is text, so it takes = or !=, not {op.Value}.");
            }

            var text = value.Value;
            return op.Value == "="
                ? run => get(run) is string s && string.Equals(s, text, StringComparison.OrdinalIgnoreCase)
                : run => get(run) is string s && !string.Equals(s, text, StringComparison.OrdinalIgnoreCase);
        }

        private static bool IsKeyword(Token? token, string keyword) => token is { Kind: TokenKind.Word } && string.Equals(token.Value, keyword, StringComparison.OrdinalIgnoreCase);
    }
}
