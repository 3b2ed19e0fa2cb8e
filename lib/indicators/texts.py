"""The words of every indicator family, per UI language.

``TEXTS[lang][family]`` holds the name, description, numerator, denominator, how to read it
and caveats of one family, as ``str.format`` templates filled by the registry with the
level's name in that language, its grades and ages. English is complete and the reference;
Lao is ``TEXTS["lo"]`` from ``texts_lo.py``, with the same keys (a missing family or field
falls back to English). Level names come from the country profile (``name_en`` for English,
``name_local`` otherwise), never from here.

Placeholders: ``{level}`` level name, ``{next_level}``, ``{grade}``, ``{next_grade}``,
``{grades}`` (e.g. "1–5"), ``{first_grade}``, ``{last_grade}``, ``{ages}`` (e.g. "6–10"),
``{age}`` (one age), ``{entry_age}``, ``{item}``, ``{standard}`` and ``{quality_level}``
(a standard and a level of the package's quality framework, in its words), ``{group}`` and
``{dimension}`` (a group of a dimension the package declares, in the package's words).
"""
from __future__ import annotations

FIELDS = ("name", "description", "numerator", "denominator", "how_to_read", "caveats")

_FLOW_CAVEAT = (
    "Computed over the schools that report in both years. Pupils who change school between "
    "{level2_plural:lower}, re-entrants and openings or closures of schools bias flow rates, most of "
    "all for small areas: a rate below 0 or above 100 is shown as computed and flagged "
    "'inconsistent flow'.")
_POP_CAVEAT = (
    "Population exists only by {level2:lower}, sex and age (and by the groups a package "
    "gives it for, such as ethnicity), so the rate splits only by sex, priority "
    "{level2:lower} and those groups. Projections drift as the census ages; pupils who cross "
    "{level2:lower} boundaries (towns, boarding schools) inflate one {level2:lower} and "
    "deflate another.")

EN: dict[str, dict[str, str]] = {
    "enrolment": {
        "name": "Pupils enrolled, {level}",
        "description": "Number of pupils enrolled in grades {grades} ({level}), all ages, in "
                       "all schools that report in the year.",
        "numerator": "Pupils enrolled in grades {grades}",
        "denominator": "",
        "how_to_read": "A count, not a rate: compare it with the school-age population "
                       "(gross enrolment ratio) before drawing conclusions.",
        "caveats": "Schools that do not report in a year are missing from the count.",
    },
    "ungraded": {
        "name": "Learners in no grade",
        "description": "Number of learners enrolled in no grade (special education, literacy "
                       "or other ungraded classes), all ages, in all schools that report in "
                       "the year.",
        "numerator": "Learners enrolled as ungraded",
        "denominator": "",
        "how_to_read": "A count: these learners are part of total enrolment, but of no "
                       "level, so no rate by grade or level includes them.",
        "caveats": "Only what schools report as ungraded; a school that puts such learners "
                   "in a grade counts them there.",
    },
    "teachers": {
        "name": "Teachers, {level}",
        "description": "Number of teachers teaching at {level} level (headcount).",
        "numerator": "Teachers at {level} level",
        "denominator": "",
        "how_to_read": "A count; see the pupil–teacher ratio for the load per teacher.",
        "caveats": "A headcount, not full-time equivalents: a teacher reported at two "
                   "levels counts at both.",
    },
    "schools": {
        "name": "Schools offering {level}",
        "description": "Number of schools offering {level} that report in the year.",
        "numerator": "Reporting schools offering {level}",
        "denominator": "",
        "how_to_read": "A count. A school offering several levels counts at each of them, so "
                       "the counts of levels do not add up to the number of schools.",
        "caveats": "Schools of the register that do not report in the year are not counted.",
    },
    "ger": {
        "name": "Gross enrolment ratio, {level}",
        "description": "Pupils enrolled in {level}, whatever their age, as a percentage of the "
                       "population of the official {level} age ({ages}).",
        "numerator": "Pupils enrolled in grades {grades}, all ages",
        "denominator": "Population aged {ages}",
        "how_to_read": "Higher means more places used relative to the age group. Above 100% "
                       "is normal where over-age and repeating pupils are many; it is not an "
                       "error. The gap to the net rate measures over- and under-age "
                       "enrolment.",
        "caveats": "Pupils of unknown age count. " + _POP_CAVEAT,
    },
    "ner": {
        "name": "Net enrolment rate, {level}",
        "description": "Pupils of the official {level} age ({ages}) enrolled in {level}, as a "
                       "percentage of the population of that age.",
        "numerator": "Pupils aged {ages} enrolled in grades {grades}",
        "denominator": "Population aged {ages}",
        "how_to_read": "Higher is better; 100% is the theoretical maximum. 100 minus the "
                       "net rate is not the out-of-school rate: some of these children are "
                       "enrolled at another level.",
        "caveats": "Pupils of unknown age are left out of the numerator (flag 'unknown age' "
                   "when more than 5% of the level's pupils have no age). A value above 100 "
                   "means enrolment and population disagree: it is shown as computed and "
                   "flagged, never capped. " + _POP_CAVEAT,
    },
    "aner": {
        "name": "Adjusted net enrolment rate, {level}",
        "description": "Children of the official {level} age ({ages}) enrolled in {level} or "
                       "a higher level, as a percentage of the population of that age.",
        "numerator": "Pupils aged {ages} enrolled in grade {first_grade} or above",
        "denominator": "Population aged {ages}",
        "how_to_read": "Higher is better. Unlike the net rate it counts children who "
                       "progressed early to a higher level.",
        "caveats": "Pupils of unknown age are left out of the numerator. Values above 100 "
                   "are flagged, never capped. " + _POP_CAVEAT,
    },
    "gir": {
        "name": "Gross intake ratio to grade {grade}",
        "description": "New entrants to grade {grade} (pupils enrolled minus repeaters), "
                       "whatever their age, as a percentage of the population of the official "
                       "entry age ({age}).",
        "numerator": "New entrants to grade {grade} (enrolled − repeaters), all ages",
        "denominator": "Population aged {age}",
        "how_to_read": "The general level of access to the first grade. Above 100% means "
                       "many over- or under-age entrants, often a backlog of older children.",
        "caveats": "Repeaters misreported as new entrants inflate it. " + _POP_CAVEAT,
    },
    "nir": {
        "name": "Net intake rate to grade {grade}",
        "description": "New entrants to grade {grade} of the official entry age ({age}), as a "
                       "percentage of the population of that age.",
        "numerator": "New entrants to grade {grade} aged {age}",
        "denominator": "Population aged {age}",
        "how_to_read": "Higher is better; 100% is the maximum and a condition for universal "
                       "primary education. Where children commonly start a year late the "
                       "net intake rate is low while intake a year later is high.",
        "caveats": "New entrants of unknown age are left out of the numerator. Values above "
                   "100 are flagged, never capped. " + _POP_CAVEAT,
    },
    "gir_last": {
        "name": "Gross intake ratio to the last grade of {level}",
        "description": "New entrants to grade {grade}, the last grade of {level}, whatever "
                       "their age, as a percentage of the population at the grade's "
                       "theoretical entrance age ({age}). An administrative proxy for "
                       "completion.",
        "numerator": "New entrants to grade {grade} (enrolled − repeaters), all ages",
        "denominator": "Population aged {age}",
        "how_to_read": "Higher is better. An upper bound of completion: pupils who drop out "
                       "during the last grade still count, and values above 100% occur.",
        "caveats": "It is not the survey-based completion rate (SDG 4.1.2). A single-age "
                   "denominator is sensitive to age heaping. " + _POP_CAVEAT,
    },
    "oosr": {
        "name": "Out-of-school rate, {level} age",
        "description": "Children of the official {level} age ({ages}) who are not enrolled "
                       "in grade {first_grade} or above, as a percentage of the population of "
                       "that age. Children of that age in a lower level count as out of "
                       "school.",
        "numerator": "Population aged {ages} minus pupils of those ages enrolled in grade "
                     "{first_grade} or above",
        "denominator": "Population aged {ages}",
        "how_to_read": "Lower is better. For the entry level it equals 100 minus the "
                       "adjusted net enrolment rate.",
        "caveats": "Pupils of unknown age cannot be placed and are left out. Enrolment above "
                   "the population gives a negative rate, shown as computed and flagged "
                   "'over 100'. " + _POP_CAVEAT,
    },
    "out_of_school": {
        "name": "Out-of-school children, {level} age",
        "description": "The number of children of the official {level} age ({ages}) who are "
                       "not enrolled in grade {first_grade} or above: the population of that "
                       "age minus the pupils of that age in grade {first_grade} or above. "
                       "Children of that age in a lower level count as out of school.",
        "numerator": "Population aged {ages} minus pupils of those ages enrolled in grade "
                     "{first_grade} or above",
        "denominator": "Population aged {ages}",
        "how_to_read": "Lower is better. It is the numerator of the out-of-school rate: the "
                       "children a programme would have to reach, where the rate says how "
                       "large a share they are.",
        "caveats": "Pupils of unknown age cannot be placed and are left out, which inflates "
                   "the count. Where enrolment exceeds the population the count is 0 and "
                   "flagged 'over 100' (the population is too low, or pupils cross in from "
                   "elsewhere). " + _POP_CAVEAT,
    },
    "participation_pre_primary": {
        "name": "Participation rate one year before primary entry",
        "description": "Children aged {age} (one year below the official entry age) enrolled "
                       "at any level, as a percentage of the population aged {age} "
                       "(SDG 4.2.2).",
        "numerator": "Pupils aged {age} enrolled at any level",
        "denominator": "Population aged {age}",
        "how_to_read": "Higher is better: the share of children in organised learning the "
                       "year before they should start {level}.",
        "caveats": "Only children of exactly age {age} count. Programmes that the school "
                   "census does not cover are missed. Values above 100 are flagged. "
                   + _POP_CAVEAT,
    },
    "repetition_grade": {
        "name": "Repetition rate, grade {grade}",
        "description": "Pupils of grade {grade} in one school year who are in grade {grade} "
                       "again the next year, as a percentage of the grade's enrolment.",
        "numerator": "Repeaters of grade {grade} in the next school year",
        "denominator": "Pupils enrolled in grade {grade} this school year",
        "how_to_read": "Lower is better. Promotion, repetition and dropout of a grade add up "
                       "to 100%.",
        "caveats": _FLOW_CAVEAT,
    },
    "promotion_grade": {
        "name": "Promotion rate, grade {grade}",
        "description": "New entrants to grade {next_grade} in the next school year (enrolled "
                       "minus repeaters) as a percentage of the pupils of grade {grade} this "
                       "year.",
        "numerator": "New entrants to grade {next_grade} in the next school year",
        "denominator": "Pupils enrolled in grade {grade} this school year",
        "how_to_read": "Higher is better. Promotion, repetition and dropout of a grade add up "
                       "to 100%.",
        "caveats": _FLOW_CAVEAT,
    },
    "dropout_grade": {
        "name": "Dropout rate, grade {grade}",
        "description": "Pupils of grade {grade} who are neither promoted nor repeating the "
                       "next year: 100 minus the promotion and repetition rates.",
        "numerator": "Pupils of grade {grade} minus next year's repeaters of grade {grade} "
                     "and new entrants to grade {next_grade}",
        "denominator": "Pupils enrolled in grade {grade} this school year",
        "how_to_read": "Lower is better.",
        "caveats": _FLOW_CAVEAT + " Pupils who move to a school outside the area count as "
                                  "dropouts.",
    },
    "repetition_level": {
        "name": "Repetition rate, {level}",
        "description": "Repetition rate of grades {grades} taken together: next year's "
                       "repeaters of these grades over this year's enrolment in them.",
        "numerator": "Repeaters of grades {grades} in the next school year",
        "denominator": "Pupils enrolled in grades {grades} this school year",
        "how_to_read": "Lower is better.",
        "caveats": _FLOW_CAVEAT,
    },
    "dropout_level": {
        "name": "Dropout rate, {level}",
        "description": "Dropout rate of grades {grades} taken together.",
        "numerator": "Pupils of grades {grades} neither promoted nor repeating the next year",
        "denominator": "Pupils enrolled in grades {grades} this school year",
        "how_to_read": "Lower is better.",
        "caveats": _FLOW_CAVEAT,
    },
    "survival_last": {
        "name": "Survival rate to the last grade of {level}",
        "description": "Percentage of a cohort entering grade {first_grade} expected to reach "
                       "grade {last_grade}, whatever the number of repetitions, if this "
                       "year's flow rates persist (reconstructed cohort).",
        "numerator": "Product over grades {grades} of promotion / (100 − repetition)",
        "denominator": "",
        "how_to_read": "Higher is better; 100 minus survival is the cumulative dropout "
                       "before the last grade.",
        "caveats": "Assumes dropouts never return and that rates stay constant. "
                   + _FLOW_CAVEAT,
    },
    "transition": {
        "name": "Transition rate, {level} to {next_level}",
        "description": "New entrants to grade {next_grade}, the first grade of {next_level}, "
                       "in the next school year, as a percentage of the pupils of grade "
                       "{grade}, the last grade of {level}, this year (gross transition rate).",
        "numerator": "New entrants to grade {next_grade} in the next school year",
        "denominator": "Pupils enrolled in grade {grade} this school year",
        "how_to_read": "Higher is better; low values point to cost, distance or too few "
                       "places at {next_level}. It equals the promotion rate of grade "
                       "{grade}.",
        "caveats": "Secondary schools often serve several {level2_plural:lower}, so "
                   "{level2:lower} values above 100% occur: read it at {level1:lower} level. "
                   + _FLOW_CAVEAT,
    },
    "ptr": {
        "name": "Pupil–teacher ratio, {level}",
        "description": "Pupils enrolled in {level} per teacher teaching at {level} "
                       "(headcount).",
        "numerator": "Pupils enrolled in grades {grades}",
        "denominator": "Teachers at {level} level",
        "how_to_read": "Lower means fewer pupils per teacher. An average hides small "
                       "multigrade schools with very low ratios next to crowded town schools.",
        "caveats": "Headcounts, not full-time equivalents.",
    },
    "pqtr": {
        "name": "Pupil–qualified teacher ratio, {level}",
        "description": "Pupils enrolled in {level} per teacher qualified according to "
                       "national standards.",
        "numerator": "Pupils enrolled in grades {grades}",
        "denominator": "Qualified teachers at {level} level",
        "how_to_read": "Lower is better.",
        "caveats": "Undefined where no teacher is qualified (shown as no data). Qualification "
                   "follows national standards, so countries cannot be compared.",
    },
    "pcr": {
        "name": "Pupil–classroom ratio",
        "description": "Pupils of all levels per classroom in use, over the schools that "
                       "reported their classrooms.",
        "numerator": "Pupils (all levels) of schools that reported classrooms",
        "denominator": "Classrooms in use in those schools",
        "how_to_read": "Lower means less crowding.",
        "caveats": "Schools teaching in shifts look more crowded than they are. Flag "
                   "'incomplete reporting' when fewer than 90% of reporting schools gave "
                   "their classrooms.",
    },
    "qualified_teachers": {
        "name": "Qualified teachers, {level}",
        "description": "Percentage of teachers at {level} level who have the minimum "
                       "academic qualification required by national standards.",
        "numerator": "Qualified teachers at {level} level",
        "denominator": "Teachers at {level} level",
        "how_to_read": "Higher is better.",
        "caveats": "National standards: not comparable between countries.",
    },
    "trained_teachers": {
        "name": "Trained teachers, {level}",
        "description": "Percentage of teachers at {level} level who have received at least "
                       "the minimum organised pedagogical training, pre-service or in-service "
                       "(SDG 4.c.1).",
        "numerator": "Trained teachers at {level} level",
        "denominator": "Teachers at {level} level",
        "how_to_read": "Higher is better.",
        "caveats": "National standards: not comparable between countries.",
    },
    "incomplete_schools": {
        "name": "Incomplete schools, {level}",
        "description": "Percentage of reporting schools offering {level} that do not offer "
                       "all the grades of their levels.",
        "numerator": "Incomplete schools offering {level}",
        "denominator": "Schools offering {level} whose completeness is known",
        "how_to_read": "Lower is better: pupils of an incomplete school must change school "
                       "or stop to reach the last grade.",
        "caveats": "From the school register's 'complete' flag.",
    },
    "multigrade_schools": {
        "name": "Schools with multigrade classes, {level}",
        "description": "Percentage of reporting schools offering {level} that have multigrade "
                       "classes.",
        "numerator": "Schools offering {level} with multigrade classes",
        "denominator": "Schools offering {level} whose multigrade status is known",
        "how_to_read": "Lower usually means more teachers per grade; multigrade teaching is "
                       "often the only way to serve small villages.",
        "caveats": "From the school register's 'multigrade' flag.",
    },
    "facility": {
        "name": "Schools with {item}, {level}",
        "description": "Percentage of schools offering {level} that have {item} (SDG 4.a.1), "
                       "over the schools that reported their facilities.",
        "numerator": "Schools offering {level} with {item}",
        "denominator": "Schools offering {level} that reported their facilities",
        "how_to_read": "Higher is better. A school offering several levels counts at each.",
        "caveats": "Self-reported. Flag 'incomplete reporting' when fewer than 90% of the "
                   "reporting schools offering {level} reported their facilities.",
    },
    "quality_met": {
        "name": "Schools meeting standard {standard}",
        "description": "Percentage of assessed schools that meet the national quality "
                       "standard '{standard}'.",
        "numerator": "Schools meeting the standard",
        "denominator": "Schools assessed on the standard",
        "how_to_read": "Higher is better.",
        "caveats": "Only assessed schools count; the assessment may not cover every school "
                   "every year.",
    },
    "quality_level": {
        "name": "Schools at level {quality_level}",
        "description": "Percentage of the assessed schools whose quality assessment places "
                       "them at level '{quality_level}' (the official result: the external "
                       "assessment where there is one, else the school's self-assessment).",
        "numerator": "Schools at the level",
        "denominator": "Schools assessed",
        "how_to_read": "The levels of an area add up to 100%. Fewer schools at the lowest "
                       "level (the most support needed) and more at the highest is better.",
        "caveats": "The framework and its thresholds are the ministry's: not comparable "
                   "between countries. A self-assessment tends to be kinder than an "
                   "external one. Flag 'incomplete reporting' when fewer than 90% of the "
                   "reporting schools were assessed.",
    },
    "quality_assessed": {
        "name": "Schools that assessed themselves",
        "description": "Percentage of the reporting schools that made a quality "
                       "self-assessment in the year.",
        "numerator": "Reporting schools with a self-assessment",
        "denominator": "Reporting schools",
        "how_to_read": "Higher is better: every school is expected to assess itself each year.",
        "caveats": "A school counts once it rated at least one item.",
    },
    "quality_verified": {
        "name": "Schools assessed externally",
        "description": "Percentage of the reporting schools whose quality was assessed by "
                       "an external assessor (district or province) in the year.",
        "numerator": "Reporting schools with an external assessment",
        "denominator": "Reporting schools",
        "how_to_read": "Higher means more self-assessments checked on site.",
        "caveats": "External visits are usually a sample, often of the schools most in need "
                   "of support: their results are not those of an average school.",
    },
    "female_share": {
        "name": "Girls among pupils, {level}",
        "description": "Percentage of the pupils enrolled in {level} who are girls.",
        "numerator": "Girls enrolled in grades {grades}",
        "denominator": "Pupils enrolled in grades {grades}",
        "how_to_read": "About 50% (more exactly, the girls' share of the age group) means "
                       "balance; read it with the gender parity index of enrolment rates.",
        "caveats": "Reflects the population's sex ratio as well as participation.",
    },
    "group_share": {
        "name": "{group} among pupils ({dimension}), {level}",
        "description": "Percentage of the {level} pupils whose {dimension} is reported who "
                       "are {group}. The shares of every group of one area add up to 100%.",
        "numerator": "Pupils of grades {grades} reported as {group}",
        "denominator": "Pupils of grades {grades} whose {dimension} is reported",
        "how_to_read": "Read it with the group's share of the school-age population (the "
                       "representation index, where the package has that population): a "
                       "lower share among pupils than among children means the group is "
                       "left behind.",
        "caveats": "Computed over the schools that report the {dimension} of their pupils. "
                   "Where some schools of an area report it and others do not, the value is "
                   "flagged 'groups partly reported': it describes the schools that report, "
                   "not the area. Small groups give small numbers; read them with the "
                   "small-denominator flag.",
    },
    "representation": {
        "name": "Representation of {group} ({dimension}), {level}",
        "description": "The group's share of the {level} pupils over its share of the "
                       "children of {level} age ({ages}).",
        "numerator": "{group} among pupils of grades {grades}, % of those whose {dimension} "
                     "is reported",
        "denominator": "{group} among children aged {ages}, % of the population by "
                       "{dimension}",
        "how_to_read": "1 means the group is as present in school as in the population; "
                       "below 1 it is under-represented (0.8: a fifth fewer pupils than its "
                       "share of children would give), above 1 over-represented.",
        "caveats": "Needs the population by the same groups (population_groups). Censuses "
                   "and school records may classify people differently (self-declared or "
                   "by the school), which moves the index on its own. " + _POP_CAVEAT,
    },
    "functional_difficulty": {
        "name": "Pupils with a functional difficulty, {level}",
        "description": "Percentage of the {level} pupils reported with a functional "
                       "difficulty under the UNICEF/Washington Group Child Functioning "
                       "Module: 'a lot of difficulty' or 'cannot do at all' in at least one "
                       "of seeing, hearing, walking, self-care, communication, learning, "
                       "remembering, concentrating, accepting change, behaviour and making "
                       "friends, or anxiety or depression every day (the standard cut-off). "
                       "Split by domain, the share with a difficulty in that domain.",
        "numerator": "Pupils of grades {grades} at the cut-off in at least one domain (by "
                     "domain: in that domain)",
        "denominator": "Pupils enrolled in grades {grades}",
        "how_to_read": "Around 10% of children aged 5–17 have a functional difficulty "
                       "(UNICEF, 2021). Schools identify far fewer: a low value usually means "
                       "pupils not identified, or children with difficulties not in school, "
                       "before it means fewer children with difficulties.",
        "caveats": "Schools under-report: teachers answer for their pupils without the "
                   "module's parent or self-report interview. The total counts each pupil "
                   "once (the rows of domain 'any'); the domains cannot be added up, as one "
                   "pupil may have difficulties in several. 'Some difficulty' is not "
                   "counted. Small numbers: read with the small-denominator flag.",
    },
    "schools_with_difficulty": {
        "name": "Schools enrolling pupils with a functional difficulty",
        "description": "Percentage of the schools reporting on functioning that enrol at "
                       "least one pupil with a functional difficulty (at the Child "
                       "Functioning Module's cut-off, in any domain).",
        "numerator": "Schools with at least one pupil at the cut-off",
        "denominator": "Schools reporting the functioning of their pupils",
        "how_to_read": "How widely pupils with difficulties are included: read it with the "
                       "schools with infrastructure adapted to pupils with disabilities.",
        "caveats": "A school that reports no pupil with a difficulty may not have looked: "
                   "identification varies between schools. Flagged 'incomplete reporting' "
                   "where few schools report on functioning.",
    },
}

# SDG 4.a.1 items: the words filled into {item}.
FACILITY_ITEMS_EN = {
    "electricity": "electricity",
    "internet": "internet for teaching",
    "computers": "computers for teaching",
    "adapted": "infrastructure adapted to pupils with disabilities",
    "water": "basic drinking water",
    "sanitation": "basic single-sex sanitation",
    "handwashing": "basic handwashing facilities",
}

# Lao (ພາສາລາວ) lives in its own module; its templates also name grades as Lao does (ຊັ້ນ ປ.1).
from lib.indicators.texts_lo import FACILITY_ITEMS_LO, TEXTS_LO  # noqa: E402

TEXTS: dict[str, dict[str, dict[str, str]]] = {"en": EN, "lo": TEXTS_LO}
ITEM_NAMES: dict[str, dict[str, str]] = {"en": FACILITY_ITEMS_EN, "lo": FACILITY_ITEMS_LO}
