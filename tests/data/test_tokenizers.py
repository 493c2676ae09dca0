import pytest

from rnnlab.data.tokenizers import CharTokenizer, Tokenizer, WhitespaceTokenizer, WordTokenizer, split_sentences


def test_char_round_trip():
    tokenizer = CharTokenizer()
    assert tokenizer.tokenize("ab c\n") == ["a", "b", " ", "c", "\n"]
    assert tokenizer.detokenize(tokenizer.tokenize("First Citizen:\n")) == "First Citizen:\n"
    assert CharTokenizer(lowercase=True).tokenize("AbC") == ["a", "b", "c"]


def test_whitespace_seed_options():
    assert WhitespaceTokenizer().tokenize("He left!  Now") == ["He", "left!", "Now"]
    assert WhitespaceTokenizer(lowercase=True, strip_punctuation=True).tokenize("He left! Don't.") == [
        "he",
        "left",
        "dont",
    ]


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("He left!", ["He", "left", "!"]),
        ("I don't know.", ["I", "do", "n't", "know", "."]),
        ("It's John's, isn't it?", ["It", "'s", "John", "'s", ",", "is", "n't", "it", "?"]),
        ("Pay $1,000.50 at 10:30, 50% off", ["Pay", "$", "1,000.50", "at", "10:30", ",", "50%", "off"]),
        ("A state-of-the-art 3rd try...", ["A", "state-of-the-art", "3rd", "try", "..."]),
        ("(see above) -- ok", ["(", "see", "above", ")", "--", "ok"]),
    ],
)
def test_word_tokenizer(text, tokens):
    tokenizer = WordTokenizer()
    assert tokenizer.tokenize(text) == tokens
    assert tokenizer.detokenize(tokens) == text


def test_word_tokenizer_quotes_detokenize():
    tokenizer = WordTokenizer()
    text = 'He said "go" and "stop" (twice).'
    assert tokenizer.detokenize(tokenizer.tokenize(text)) == text


def test_all_satisfy_protocol():
    for tokenizer in (CharTokenizer(), WhitespaceTokenizer(), WordTokenizer()):
        assert isinstance(tokenizer, Tokenizer)


def test_split_sentences_abbreviations_and_initials():
    text = 'Mr. Smith met Dr. J. Watson. Did he stay? No! "Go home." She left, etc. and more. End'
    assert split_sentences(text) == [
        "Mr. Smith met Dr. J. Watson.",
        "Did he stay?",
        "No!",
        '"Go home."',
        "She left, etc. and more.",
        "End",
    ]


def test_split_sentences_empty():
    assert split_sentences("   ") == []
