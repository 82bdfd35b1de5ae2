"""TF-IDF ranking of alignment suggestions (pacer.coach.similarity): pure, no database."""

from pacer.coach.similarity import (
    Doc,
    Index,
    Ranked,
    index_of,
    objective_text,
    rank,
    stem,
    strongest_phrases,
    terms,
)

COMPANY = [
    Doc(1, "Raise client satisfaction\nClient satisfaction survey score from 70 to 85"),
    Doc(2, "Ship deliveries on time\nOn-time delivery rate from 80 % to 95 %"),
    Doc(3, "Hire a strong engineering team\nEngineers hired from 0 to 12"),
    Doc(4, "Cut cloud costs\nMonthly cloud bill from 90k to 60k EUR"),
]


def keys(ranked: list[Ranked]) -> list[int]:
    return [r.key for r in ranked]


# --- Words -----------------------------------------------------------------------------


def test_plurals_and_verb_endings_meet_their_stem() -> None:
    pairs = [
        ("deliveries", "delivery"),
        ("customers", "customer"),
        ("processes", "process"),
        ("pricing", "price"),
        ("planning", "plan"),
        ("shipped", "ship"),
        ("released", "release"),
    ]
    for word, base in pairs:
        assert stem(word) == stem(base), (word, base)


def test_words_that_only_look_like_endings_stay() -> None:
    assert stem("status") == "status"
    assert stem("business") == "business"
    assert stem("analysis") == "analysis"
    assert stem("speed") == "speed"  # not "spe"
    assert stem("thing") == "thing"


def test_terms_drop_stopwords_numbers_and_okr_verbs_and_keep_phrases() -> None:
    found = [written for _, written in terms("Improve the client satisfaction of 2026 by 15 %")]
    assert found == ["client", "satisfaction", "client satisfaction"]


def test_a_phrase_does_not_cross_a_stopword_a_number_or_a_line() -> None:
    found = {term for term, _ in terms("sales and marketing\ngrowth 2026 plans")}
    assert "sale marketing" not in found  # "and" between
    assert "marketing growth" not in found  # a new line between
    assert "growth plan" not in found  # a number between


def test_hyphens_and_possessives_join_words() -> None:
    found = {written for _, written in terms("the self-serve plan's pricing")}
    assert {"self serve", "serve plans", "plans pricing"} <= found


def test_objective_text_puts_each_part_on_its_own_line() -> None:
    text = objective_text("Delight clients", "So they stay", ["NPS from 30 to 50"])
    assert text == "Delight clients\nSo they stay\nNPS from 30 to 50"


# --- Ranking ---------------------------------------------------------------------------


def test_the_candidate_sharing_the_weightiest_words_comes_first() -> None:
    ranked = rank("Improve client satisfaction in support", COMPANY)
    assert keys(ranked) == [1]
    assert 0 < ranked[0].score <= 1


def test_shared_terms_prefer_a_phrase_over_its_two_words() -> None:
    ranked = rank("Client satisfaction and faster deliveries", COMPANY)
    by_key = {r.key: r.shared for r in ranked}
    assert by_key[1] == ["client satisfaction"]
    assert by_key[2] == ["deliveries"]  # as the query wrote it, though "delivery" matched


def test_shared_terms_are_at_most_three_weightiest_first() -> None:
    doc = Doc(1, "alpha beta gamma delta epsilon")
    common = Doc(2, "alpha alpha everywhere")
    ranked = rank("epsilon, delta; gamma, beta, alpha", [doc, common])
    assert ranked[0].key == 1
    assert len(ranked[0].shared) == 3
    assert "alpha" not in ranked[0].shared  # in both candidates: the lightest


def test_strongest_phrases_fold_words_into_their_phrase() -> None:
    weights = {"client": 0.2, "satisfaction": 0.3, "client satisfaction": 0.1, "delivery": 0.5}
    assert strongest_phrases(weights) == ["client satisfaction", "delivery"]


def test_stemming_matches_deliveries_to_delivery() -> None:
    ranked = rank("More deliveries", [Doc(7, "One delivery a day"), Doc(8, "Hiring")])
    assert keys(ranked) == [7]


def test_only_candidates_sharing_a_term_are_returned() -> None:
    assert rank("Lower churn", COMPANY) == []
    assert set(keys(rank("cloud engineering", COMPANY, limit=10))) == {3, 4}


def test_ties_go_to_the_smaller_key_and_the_order_never_varies() -> None:
    twins = [Doc(9, "Grow revenue"), Doc(3, "Grow revenue"), Doc(5, "Grow revenue")]
    first = rank("revenue", twins, limit=3)
    assert keys(first) == [3, 5, 9]
    assert rank("revenue", list(reversed(twins)), limit=3) == first


def test_among_limits_the_candidates_and_limit_the_count() -> None:
    query = "client satisfaction deliveries engineering cloud"
    assert keys(rank(query, COMPANY, limit=2, among={2, 3, 4})) == keys(
        rank(query, [d for d in COMPANY if d.key != 1], limit=2)
    )
    assert len(rank(query, COMPANY, limit=2)) == 2
    assert rank(query, COMPANY, among=set()) == []


def test_boost_multiplies_a_candidates_similarity() -> None:
    plain = rank("client satisfaction deliveries", COMPANY, limit=2)
    boosted = rank("client satisfaction deliveries", COMPANY, limit=2, boost={2: 3.0})
    assert keys(boosted)[0] == 2
    assert boosted[0].score > plain[[r.key for r in plain].index(2)].score


def test_empty_input_gives_nothing() -> None:
    assert rank("", COMPANY) == []
    assert rank("the of and 2026 !", COMPANY) == []
    assert rank("client satisfaction", []) == []
    assert rank("client satisfaction", COMPANY, limit=0) == []
    assert rank("client", [Doc(1, ""), Doc(2, "   ")]) == []


def test_the_same_candidates_share_one_index() -> None:
    index_of.cache_clear()
    rank("client", COMPANY)
    rank("delivery", list(COMPANY))
    assert index_of.cache_info().hits == 1


def test_an_index_answers_many_queries_alike() -> None:
    index = Index(COMPANY)
    assert index.rank("client satisfaction") == rank("client satisfaction", COMPANY)
    assert index.rank("cloud costs", limit=1)[0].shared == ["cloud costs"]
