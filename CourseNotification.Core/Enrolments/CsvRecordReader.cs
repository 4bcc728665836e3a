using System.Text;

namespace CourseNotification.Enrolments;

/// <summary>
/// One record of a CSV file: the line it begins on, its fields, whether it is blank, and, when it was
/// refused, why and in which field (0-based).
/// </summary>
internal sealed record CsvRecord(int Line, IReadOnlyList<string> Fields, bool Blank, string? Problem = null, int ProblemField = 0);

/// <summary>
/// Reads CSV records one at a time from a <see cref="TextReader"/>, in one pass and linear time, never
/// holding more than one record (RFC 4180, with the leniency spreadsheets have):
/// <list type="bullet">
/// <item>a field that starts with <c>"</c> is quoted: it may hold the delimiter and line breaks, <c>""</c> is a quote, and it ends
/// with a quote followed by the delimiter, a line break or the end (spaces may come between);</item>
/// <item>a quote anywhere else in a field is kept as it is (<c>O"Brien</c>), so it never swallows the lines after it;</item>
/// <item>a quoted field that is never closed, or is followed by something else than the delimiter, refuses its
/// record with the line it began on; reading goes on at the next line, so one bad line costs only itself;</item>
/// <item>a record longer than <see cref="MaxRecordChars"/> is refused the same way, so memory stays bounded.</item>
/// </list>
/// Lines end with LF, CRLF or CR; a line break inside a quoted field is read as LF.
/// </summary>
internal sealed class CsvRecordReader(TextReader reader)
{
    /// <summary>The longest record read (a Moodle report's line is well under 1,000 characters).</summary>
    public const int MaxRecordChars = 64 * 1024;

    private const int BufferSize = 32 * 1024;

    private enum State { FieldStart, Unquoted, Quoted, QuoteInQuoted, AfterQuoted }

    private readonly StringBuilder _field = new();
    private readonly StringBuilder _replay = new();
    private char[] _buffer = new char[BufferSize];
    private int _position;
    private int _length;
    private bool _ended;
    private bool _started;
    private bool _afterCarriageReturn;
    private bool _skipping;
    private int _line = 1;

    public char Delimiter { get; set; } = ',';

    /// <summary>
    /// Of <paramref name="candidates"/>, the one found most often outside quotes in the first line (the first
    /// candidate on a tie); reads nothing away.
    /// </summary>
    public async ValueTask<char> SniffDelimiterAsync(char[] candidates, CancellationToken cancellationToken)
    {
        await StartAsync(cancellationToken);
        // Have the whole first line in the buffer (or as much of it as a record may hold).
        while (!_ended && _buffer.AsSpan(_position, _length - _position).IndexOfAny('\n', '\r') < 0 && _length - _position < MaxRecordChars)
        {
            if (_position > 0 || _length == _buffer.Length)
            {
                var bigger = new char[Math.Max(_buffer.Length, (_length - _position) * 2)];
                _buffer.AsSpan(_position, _length - _position).CopyTo(bigger);
                _length -= _position;
                _position = 0;
                _buffer = bigger;
            }
            var read = await reader.ReadAsync(_buffer.AsMemory(_length), cancellationToken);
            _ended = read == 0;
            _length += read;
        }
        var counts = new int[candidates.Length];
        var quoted = false;
        for (var i = _position; i < _length && (quoted || _buffer[i] is not ('\n' or '\r')); i++)
        {
            var c = _buffer[i];
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && Array.IndexOf(candidates, c) is >= 0 and var index)
            {
                counts[index]++;
            }
        }
        var best = 0;
        for (var i = 1; i < counts.Length; i++)
        {
            if (counts[i] > counts[best])
            {
                best = i;
            }
        }
        return candidates[best];
    }

    /// <summary>The next record, or null at the end.</summary>
    public async ValueTask<CsvRecord?> ReadAsync(CancellationToken cancellationToken)
    {
        await StartAsync(cancellationToken);
        if (_afterCarriageReturn && await HasCharAsync(cancellationToken) && _buffer[_position] == '\n')
        {
            _position++;
        }
        _afterCarriageReturn = false;
        if (!await HasCharAsync(cancellationToken))
        {
            return null;
        }
        var line = _line;
        var fields = new List<string>();
        var state = State.FieldStart;
        var blank = true;
        var chars = 0;
        var quoteLine = 0;
        var replaying = false;
        _field.Clear();
        _replay.Clear();
        while (true)
        {
            if (!await HasCharAsync(cancellationToken))
            {
                if (state is State.Quoted)
                {
                    return Refuse(line, fields.Count, replaying, $"the quoted value that begins on line {quoteLine} is never closed");
                }
                fields.Add(_field.ToString());
                return new CsvRecord(line, fields, blank);
            }
            var c = _buffer[_position++];
            if (_afterCarriageReturn)
            {
                _afterCarriageReturn = false;
                if (c == '\n')
                {
                    continue;
                }
            }
            if (replaying)
            {
                _replay.Append(c);
            }
            var lineBreak = c is '\n' or '\r';
            if (lineBreak)
            {
                _line++;
                _afterCarriageReturn = c == '\r';
            }
            else if (++chars > MaxRecordChars)
            {
                return Refuse(line, fields.Count, replaying, state is State.Quoted or State.QuoteInQuoted
                    ? $"the quoted value that begins on line {quoteLine} is not closed within {MaxRecordChars:N0} characters"
                    : $"the line is longer than {MaxRecordChars:N0} characters");
            }
            switch (state)
            {
                case State.FieldStart when c == '"':
                    state = State.Quoted;
                    quoteLine = _line;
                    blank = false;
                    break;
                case State.FieldStart or State.Unquoted when c == Delimiter:
                    fields.Add(_field.ToString());
                    _field.Clear();
                    state = State.FieldStart;
                    blank = false;
                    break;
                case State.FieldStart or State.Unquoted when lineBreak:
                    fields.Add(_field.ToString());
                    return new CsvRecord(line, fields, blank);
                case State.FieldStart or State.Unquoted:
                    _field.Append(c);
                    blank &= char.IsWhiteSpace(c);
                    state = State.Unquoted;
                    break;
                case State.Quoted when c == '"':
                    state = State.QuoteInQuoted;
                    break;
                case State.Quoted:
                    _field.Append(lineBreak ? '\n' : c);
                    // From the first line break inside the record, keep what follows: if the record is refused,
                    // reading starts again at the line after the one it began on.
                    replaying |= lineBreak;
                    break;
                case State.QuoteInQuoted when c == '"':
                    _field.Append('"');
                    state = State.Quoted;
                    break;
                case State.QuoteInQuoted or State.AfterQuoted when c == Delimiter:
                    fields.Add(_field.ToString());
                    _field.Clear();
                    state = State.FieldStart;
                    break;
                case State.QuoteInQuoted or State.AfterQuoted when lineBreak:
                    fields.Add(_field.ToString());
                    return new CsvRecord(line, fields, blank);
                case State.QuoteInQuoted or State.AfterQuoted when c == ' ':
                    state = State.AfterQuoted;
                    break;
                default:
                    return Refuse(line, fields.Count, replaying,
                        $"the quoted value that begins on line {quoteLine} is followed by '{c}' on line {_line}: a quote inside a quoted value must be doubled");
            }
        }
    }

    /// <summary>
    /// Refuses the record that began on <paramref name="line"/>, and sets reading to start again at the next
    /// line: what was read past it is read again when the record spanned lines, else the rest of its line is skipped.
    /// </summary>
    private CsvRecord Refuse(int line, int field, bool replaying, string problem)
    {
        if (replaying)
        {
            var rest = _length - _position;
            var buffer = new char[Math.Max(BufferSize, _replay.Length + rest)];
            _replay.CopyTo(0, buffer, _replay.Length);
            _buffer.AsSpan(_position, rest).CopyTo(buffer.AsSpan(_replay.Length));
            _buffer = buffer;
            _position = 0;
            _length = _replay.Length + rest;
            _line = line + 1;
            // The replay starts right after the record's first line break; a CR of a CRLF there was already consumed.
            _afterCarriageReturn = false;
        }
        else
        {
            _skipping = true;
        }
        _replay.Clear();
        _field.Clear();
        return new CsvRecord(line, [], false, problem, field);
    }

    private async ValueTask StartAsync(CancellationToken cancellationToken)
    {
        if (_started)
        {
            return;
        }
        _started = true;
        if (await HasCharAsync(cancellationToken) && _buffer[_position] == '\uFEFF')
        {
            _position++;
        }
    }

    /// <summary>Whether a character is ready at <see cref="_position"/>, reading more when needed (and skipping the rest of a refused line).</summary>
    private async ValueTask<bool> HasCharAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_position == _length)
            {
                if (_ended)
                {
                    return false;
                }
                if (_buffer.Length != BufferSize)
                {
                    _buffer = new char[BufferSize];
                }
                _length = await reader.ReadAsync(_buffer.AsMemory(), cancellationToken);
                _position = 0;
                if (_length == 0)
                {
                    _ended = true;
                    return false;
                }
            }
            if (!_skipping)
            {
                return true;
            }
            var c = _buffer[_position++];
            if (c is '\n' or '\r')
            {
                _skipping = false;
                _line++;
                _afterCarriageReturn = c == '\r';
            }
        }
    }
}
