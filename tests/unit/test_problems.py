"""Build warnings are worded from the UI catalogue, so a Lao data officer reads them in Lao:
the extract keeps each warning's template and values beside its English words."""
from __future__ import annotations

import json
import re

from lib.country import country_words
from lib.db import connect, problems
from lib.db import country as db_country
from lib.i18n import CountryWords, catalogue, country_words_in_use, languages
from lib.problems import ProblemLog, message_in, worded

LAO = re.compile(r"[\u0E80-\u0EFF]")
NUMBER = re.compile(r"\d[\d,.–-]*\d|\d")


def test_a_worded_warning_keeps_its_english_words_and_how_to_say_them_again():
    log = ProblemLog()
    log.warn("ptr_implausible",
             {"school": "0101-0001", "pupils": 1_204, "teachers": 3, "year": 2023,
              "ratio": 401.3, "low": 3, "high": 100}, file="teachers.csv",
             school_id="0101-0001", year=2023)
    (found,) = log.warnings
    assert found.message == ("school 0101-0001: 1,204 enrolled, 3 teaching in 2023: 401.3 "
                             "pupils per teacher is implausible (expected 3–100)")
    assert json.loads(found.params)["pupils"] == 1204
    lao = message_in("lo", found.message, found.template, found.params)
    assert LAO.search(lao) and "0101-0001" in lao and "1,204" in lao and "401.3" in lao
    assert message_in("en", found.message, found.template, found.params) == found.message


def test_a_message_without_template_or_with_broken_values_keeps_its_english_words():
    assert message_in("lo", "school X: something", "", "") == "school X: something"
    assert message_in("lo", "old words", "no_such_template", "{}") == "old words"
    assert message_in("lo", "old words", "no_coordinates", "{not json") == "old words"
    assert message_in("lo", "old words", "no_coordinates", "{}") == "old words"


def test_admin_level_words_are_given_in_the_readers_language():
    words = CountryWords(names={"en": {"level1": "Region", "level2": "Municipality"},
                                "lo": {"level1": "ແຂວງ", "level2": "ເມືອງ"}})
    with country_words_in_use(words):  # the build's
        found = worded("warning", "unit_without_polygon",
                       {"level": 2, "area": "Xay (0401, Oudomxay)"})
        outside = worded("warning", "outside_district",
                         {"school": "0401-0001", "found": "0402", "district": "0401"})
    assert found.message == ("municipality Xay (0401, Oudomxay) has no polygon in the boundary "
                             "files; it is listed under the map")
    assert outside.message == ("school 0401-0001 lies in municipality 0402, outside its "
                               "municipality 0401")
    assert "level" not in found.message and "word" not in found.params  # words not stored
    with country_words_in_use(words):  # the app's, for the reader
        lao = message_in("lo", found.message, found.template, found.params)
    assert lao.startswith("ເມືອງ Xay (0401, Oudomxay)")


def test_every_template_is_in_every_catalogue():
    english = {k for k in catalogue("en") if k.startswith("problem_message.")}
    assert len(english) >= 15
    for lang in languages():
        assert english <= set(catalogue(lang)), lang


def test_every_warning_of_the_demo_reads_in_lao_with_the_same_numbers(demo_extract):
    con = connect(demo_extract)
    found = problems(con)
    assert len(found) > 20 and found["template"].notna().all()
    with country_words_in_use(country_words(db_country(con))):  # as the app, for each run
        for message, template, params in zip(found["message"], found["template"],
                                             found["params"]):
            lao = message_in("lo", message, template, params)
            assert lao != message and LAO.search(lao), message
            if ":grade}" not in catalogue("lo")[f"problem_message.{template}"]:  # ມ.1: grade 6
                assert sorted(NUMBER.findall(lao)) == sorted(NUMBER.findall(message)), lao
