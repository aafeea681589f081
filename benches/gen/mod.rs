//! Deterministic generator of realistic saved article pages, for benchmarks of the corpus engine.
//!
//! The corpus engine reads scraped plain text of article web pages and extracts citable records from
//! it. Real scraped pages cannot be shipped in bulk, and five seeds are too few to time anything, so
//! this module fabricates pages in the eight shapes the seeds taught us to expect: a PubMed abstract
//! page, an EPrints repository record, a ScienceOpen page, a Taylor & Francis page whose author names
//! were lost, a JATS XML article saved as text, a labelled-fields page, a page that is not an article
//! at all, and an abstract-only page. Each page carries the noise that makes extraction hard (banners,
//! counters, cookie text, "Similar articles" that are not references, U+2010 hyphens, CRLF endings,
//! non-ASCII names) and a [`Truth`] saying what the page really shows, so a benchmark can score
//! accuracy as well as speed. Everything derives from a `u64` seed through a small splitmix64
//! generator: the same `(i, seed)` gives the same bytes on every machine, and page `i` is computed
//! without computing the pages before it. Cited works come from one shared pool that grows by about
//! one work per five pages and are drawn with a Zipf-like skew, so many pages cite the same work in
//! different citation styles, which is what exercises "one work reached from two pages is one record".
//! Only `std` is used, so any benchmark binary can include the file with `#[path]`.
//!
//! Include it as `#[path = "gen/mod.rs"] mod r#gen;`: `gen` is a reserved word in edition 2024, so a
//! plain `mod gen;` does not compile. The shapes are drawn with equal weight (1/8 each); [`shape`]
//! tells which one page `i` has. Truth follows the seeds' rules: a PubMed page's year is its issue
//! year even when the e-publication date is the year before, a Taylor & Francis page's year is its
//! "Published online" date, and pages that hide a field (lost authors, no DOI line) have `None`
//! there. DOIs are unique for any corpus size: pages number their DOIs with even integers, cited
//! works with odd ones, and every publisher shape prints that number in a field bounded by
//! non-digits.

// Benchmark binaries include this file with `#[path]` and each uses only part of the API; without
// this, every unused function would be a warning, and CI runs clippy with `-D warnings`.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::Path;
use std::sync::OnceLock;

/// One generated page: the file name to save it under, its text, and what it really shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub file_name: String,
    pub text: String,
    pub truth: Truth,
}

/// What the page itself shows, nothing inferred from outside it; `None` where the page hides it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Truth {
    /// Exactly as the page shows it (it may contain U+2010 hyphens).
    pub title: Option<String>,
    /// The family name of the first author the page names, particles included ("van der Berg").
    pub first_author_family: Option<String>,
    pub year: Option<i32>,
    /// The article's own DOI, lower case; never the DOI of a journal, an issue or a cited work.
    pub doi: Option<String>,
    /// Lower-case DOIs of the works in the page's reference list whose DOI text the page shows,
    /// in page order. DOIs under "Similar articles" or "Cited by" are not references.
    pub cited_dois: Vec<String>,
}

/// The kinds of page the generator writes; each is drawn with weight 1/8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shape {
    PubMed,
    EPrints,
    ScienceOpen,
    TaylorFrancis,
    Jats,
    Labelled,
    NotArticle,
    AbstractOnly,
}

impl Shape {
    pub const ALL: [Shape; 8] = [
        Shape::PubMed,
        Shape::EPrints,
        Shape::ScienceOpen,
        Shape::TaylorFrancis,
        Shape::Jats,
        Shape::Labelled,
        Shape::NotArticle,
        Shape::AbstractOnly,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Shape::PubMed => "pubmed",
            Shape::EPrints => "eprints",
            Shape::ScienceOpen => "scienceopen",
            Shape::TaylorFrancis => "taylor-francis",
            Shape::Jats => "jats",
            Shape::Labelled => "labelled",
            Shape::NotArticle => "not-article",
            Shape::AbstractOnly => "abstract-only",
        }
    }
}

/// `n` pages, identical for the same `(n, seed)`; `pages(n, seed)[i] == page(i, seed)`.
pub fn pages(n: usize, seed: u64) -> Vec<Page> {
    (0..n).map(|i| page(i, seed)).collect()
}

/// The shape of page `i`, without generating the page.
pub fn shape(i: usize, seed: u64) -> Shape {
    pick_shape(&mut page_rng(i, seed))
}

/// Page `i` of the corpus for `seed`, computed on its own.
pub fn page(i: usize, seed: u64) -> Page {
    let mut r = page_rng(i, seed);
    let shape = pick_shape(&mut r);
    let (mut text, truth) = match shape {
        Shape::PubMed => pubmed(&mut r, seed, i),
        Shape::EPrints => eprints(&mut r, i),
        Shape::ScienceOpen => scienceopen(&mut r, seed, i),
        Shape::TaylorFrancis => taylor_francis(&mut r, seed, i),
        Shape::Jats => jats(&mut r, seed, i),
        Shape::Labelled => labelled(&mut r, seed, i),
        Shape::NotArticle => (not_article(&mut r, i), Truth::default()),
        Shape::AbstractOnly => (abstract_only(&mut r, i), Truth::default()),
    };
    // Pages saved on Windows or served with CRLF keep those endings; the engine must cope.
    if r.percent(15) {
        text = text.replace('\n', "\r\n");
    }
    let file_name = format!("{i:06}_{:016x}.txt", key(seed, TAG_NAME, i as u64));
    Page { file_name, text, truth }
}

/// Writes `pages(n, seed)` as files into `dir` (created), returning total bytes written.
/// Pages are generated and written one at a time, so memory stays that of a single page.
pub fn write_corpus(dir: &Path, n: usize, seed: u64) -> std::io::Result<u64> {
    std::fs::create_dir_all(dir)?;
    let mut total = 0u64;
    for i in 0..n {
        let p = page(i, seed);
        std::fs::write(dir.join(&p.file_name), p.text.as_bytes())?;
        total += p.text.len() as u64;
    }
    Ok(total)
}

// ---------------------------------------------------------------------------------------------
// Randomness. splitmix64 is tiny, fast and statistically good enough for fake text; keying every
// page and every cited work by its own hash makes each reproducible alone.

const TAG_PAGE: u64 = 0x5041_4745;
const TAG_NAME: u64 = 0x4e41_4d45;
const TAG_WORK: u64 = 0x574f_524b;
const TAG_SNIPPET: u64 = 0x534e_4950;
const TAG_JOURNAL: u64 = 0x4a4f_5552;

fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn key(seed: u64, tag: u64, i: u64) -> u64 {
    mix64(mix64(seed ^ mix64(tag)) ^ mix64(i.wrapping_add(0x9e37_79b9_7f4a_7c15)))
}

fn page_rng(i: usize, seed: u64) -> Rng {
    Rng(key(seed, TAG_PAGE, i as u64))
}

fn pick_shape(r: &mut Rng) -> Shape {
    Shape::ALL[r.below(Shape::ALL.len())]
}

#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix64(self.0)
    }

    /// Uniform in `0..n` by multiply-shift, which has no modulo bias worth caring about here.
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    fn between(&mut self, lo: u64, hi_inclusive: u64) -> u64 {
        lo + self.below((hi_inclusive - lo + 1) as usize) as u64
    }

    fn percent(&mut self, p: usize) -> bool {
        self.below(100) < p
    }

    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
}

// ---------------------------------------------------------------------------------------------
// Word lists. Kept as comma-separated text and split once, because 1,600 quoted literals would
// bury the code; the split costs microseconds once per process.

fn split_list(src: &'static str) -> Vec<&'static str> {
    src.split([',', '\n']).map(str::trim).filter(|w| !w.is_empty()).collect()
}

macro_rules! word_list {
    ($name:ident, $src:expr) => {
        fn $name() -> &'static [&'static str] {
            static CELL: OnceLock<Vec<&'static str>> = OnceLock::new();
            CELL.get_or_init(|| split_list($src))
        }
    };
}

// About 300 family names across many scripts and naming customs: particles ("van der Berg"),
// apostrophes ("O'Brien"), diacritics ("Núñez", "Łukaszewicz") and Han characters ("李").
word_list!(
    families,
    "Smith, Jones, Taylor, Brown, Williams, Wilson, Johnson, Davies, Robinson, Wright, Thompson,
    Evans, Walker, White, Roberts, Green, Hall, Wood, Jackson, Clarke, Hughes, Edwards, Turner, Hill,
    Moore, Cooper, Ward, Morris, King, Harrison, Morgan, Baker, Patel, Young, Allen, Mitchell, James,
    Anderson, Phillips, Bell, Parker, Davis, Campbell, Kelly, Murphy, O'Brien, O'Connor, O'Sullivan,
    McCarthy, Walsh, Byrne, Ryan, Doyle, Gallagher, Quinn, Brennan, Fitzgerald, MacLeod, McKenzie,
    Fraser, Stewart, Reid, Murray, Ross, Paterson, Henderson, Graham, Hamilton, Cunningham, Sinclair,
    Ferguson, Lloyd, Price, Griffiths, Jenkins, Powell, Rees, Owen, Pritchard, Vaughan, Howells, Bevan,
    Müller, Schmidt, Schneider, Fischer, Weber, Becker, Wagner, Hoffmann, Schäfer, Koch, Bauer,
    Richter, Klein, Wolf, Schröder, Neumann, Zimmermann, Krüger, Hartmann, Lange, Vogel, Jäger,
    Günther, Köhler, Brandt, Dubois, Lefebvre, Moreau, Girard, Lambert, Fontaine, Rousseau, Mercier,
    Chevalier, Faure, Bérubé, Côté, Gagnon, Lévesque, Tremblay, Rossi, Bianchi, Romano, Colombo, Ricci,
    Marino, Greco, Conti, De Luca, Esposito, Ferrara, Galli, Mancini, Rinaldi, Lombardo, García,
    Martínez, López, González, Rodríguez, Fernández, Pérez, Sánchez, Núñez, Jiménez, Muñoz, Álvarez,
    Romero, Navarro, Ortega, Castillo, Ibáñez, Peña, Vázquez, Domínguez, Gutiérrez, Ruiz, Díaz,
    Moreno, Herrera, Medina, Aguilar, Reyes, Flores, Morales, Ramos, Vargas, Castro, Rojas, Silva,
    Santos, Oliveira, Souza, Costa, Pereira, Almeida, Carvalho, Ribeiro, Gonçalves, Araújo, Magalhães,
    van der Berg, van Dijk, de Vries, de Jong, Bakker, Visser, Smit, Meijer, Mulder, de Boer,
    van den Heuvel, Janssen, Peeters, Maes, Claes, Willems, Nowak, Kowalski, Wiśniewski, Wójcik,
    Kamiński, Lewandowski, Zieliński, Szymański, Dąbrowski, Kozłowski, Łukaszewicz, Novák, Dvořák,
    Černý, Svoboda, Horák, Nagy, Kovács, Tóth, Szabó, Horváth, Varga, Andersson, Johansson, Karlsson,
    Nilsson, Eriksson, Lindqvist, Lindgren, Sandberg, Åberg, Hansen, Jensen, Nielsen, Pedersen,
    Sørensen, Larsen, Haugen, Strøm, Ødegård, Virtanen, Mäkinen, Korhonen, Nieminen, Järvinen, Ivanov,
    Petrov, Smirnov, Kuznetsova, Popova, Sokolov, Volkova, Papadopoulos, Georgiou, Dimitriou,
    Nikolaou, Yılmaz, Kaya, Demir, Şahin, Çelik, Öztürk, Cohen, Levy, Mizrahi, Friedman, Katz,
    Shapiro, Haddad, Khalil, Hassan, Ibrahim, Mansour, Nasser, Rahman, Hussain, Khan, Ahmed, Malik,
    Qureshi, Chaudhry, Sharma, Singh, Kumar, Gupta, Iyer, Reddy, Nair, Menon, Banerjee, Chatterjee,
    Mukherjee, Desai, Joshi, Kapoor, Chen, Wang, Zhang, Liu, Yang, Huang, Zhao, Wu, Zhou, Xu, Sun, Ma,
    Zhu, Hu, Guo, He, Lin, Luo, 李, 王, 张, 刘, 陈, Kim, Park, Choi, Jung, Kang, Cho, Yoon, Jang, Tanaka,
    Suzuki, Takahashi, Watanabe, Ito, Yamamoto, Nakamura, Kobayashi, Sato, Kato, Nguyen, Tran, Le,
    Pham, Hoang, Phan, Vu, Okafor, Okonkwo, Adeyemi, Oyelaran, Mensah, Boateng, Asante, Owusu, Mwangi,
    Otieno, Kamau, Njoroge, Dlamini, Nkosi, Mokoena, Banda, Phiri, Abebe, Tesfaye, Haile, Lloyd-Williams,
    Ruiz-Tagle, de la Cruz, dos Santos, di Marco, von Bergen, Le Roux, D'Angelo"
);

word_list!(
    given_names,
    "James, Mary, John, Sarah, David, Emma, Michael, Laura, Peter, Helen, Richard, Claire, Thomas,
    Rachel, Daniel, Hannah, Andrew, Sophie, Mark, Rebecca, Paul, Kate, Stephen, Lucy, Christopher,
    Anna, Matthew, Jane, Simon, Alice, Robert, Eleanor, Benjamin, Grace, Samuel, Charlotte, Joseph,
    Amy, Jonathan, Louise, Patrick, Siobhan, Ciarán, Aoife, Niamh, Seán, Eoin, Fiona, Ewan, Morag,
    Rhys, Cerys, Dafydd, Gwen, Jürgen, Günter, Anke, Jörg, Katrin, Stefan, Ulrike, Matthias, Björn,
    Sören, Élodie, François, Hélène, Jérôme, Amélie, Loïc, Chloé, Mathilde, Giulia, Lorenzo,
    Francesca, Matteo, Chiara, Alessandro, José, María, Javier, Lucía, Álvaro, Inés, Carmen, Sergio,
    João, Ana, Luís, Beatriz, Tiago, Łukasz, Agnieszka, Katarzyna, Piotr, Małgorzata, Wojciech, Jiří,
    Tereza, Zoltán, Réka, Lars, Ingrid, Astrid, Nils, Søren, Mette, Åsa, Jukka, Aino, Dmitri, Olga,
    Natalia, Sergei, Nikos, Eleni, Mehmet, Ayşe, Emre, Yael, Avi, Omar, Fatima, Layla, Yusuf, Amina,
    Karim, Priya, Arjun, Ananya, Rahul, Deepa, Vikram, Sunita, Wei, Jing, Xin, Hao, Lei, Min, Yan,
    Ji-woo, Min-jun, Seo-yeon, Hiroshi, Yuki, Kenji, Aiko, Minh, Linh, Chinedu, Ngozi, Kwame, Ama,
    Wanjiru, Thabo, Sipho, Tigist, Deborah, Gillian, Bernadette, Declan"
);

// Given names for families written in Han characters, so "李" is not paired with "Siobhan".
word_list!(han_given_names, "伟, 芳, 娜, 敏, 静, 丽, 强, 磊, 军, 洋");

word_list!(
    adjectives,
    "adaptive, collaborative, participatory, community-based, person-centred, patient-centred,
    equity-sensitive, evidence-based, integrated, digital, remote, rural, urban, regional, national,
    local, multidisciplinary, interprofessional, structural, social, emotional, cognitive, physical,
    psychological, behavioural, organisational, institutional, relational, cultural, ethical,
    clinical, preventive, therapeutic, informal, formal, peer-led, co-produced, co-designed, user-led,
    long-term, short-term, longitudinal, comparative, contextual, systemic, sustainable, scalable,
    feasible, acceptable, effective, cost-effective, inclusive, accessible, equitable, unequal,
    marginalised, underserved, vulnerable, resilient, complex, hidden, shared, distributed,
    collective, individual, routine, acute, chronic, multimorbid, maternal, neonatal, paediatric,
    adolescent, frail, working-age, low-income, socioeconomic, demographic, geographic, spatial,
    temporal, seasonal, environmental, occupational, educational, financial, economic, political,
    legal, regulatory, strategic, operational, practical, theoretical, conceptual, methodological,
    empirical, qualitative, quantitative, realist, narrative, reflexive, critical, pragmatic,
    iterative, incremental, transformative, innovative, novel, emerging, established, traditional,
    conventional, standardised, tailored, personalised, targeted, universal, selective, intensive,
    brief, multicomponent, stepped, blended, hybrid, virtual, online, mobile, wearable, automated,
    algorithmic, predictive, diagnostic, prognostic, genomic, metabolic, cardiovascular, respiratory,
    musculoskeletal, neurological, renal, oncological, perinatal, postnatal, antenatal, sexual,
    reproductive, nutritional, dietary, sedentary, trauma-informed, recovery-oriented,
    strengths-based, asset-based, rights-based, place-based, school-based, home-based,
    hospital-based, voluntary, statutory, third-sector, devolved, centralised, decentralised,
    fragmented, coordinated, continuous, episodic, meaningful, tokenistic, authentic, experiential,
    tacit, explicit, perceived, observed, unmet, latent, modifiable, avoidable, preventable,
    intergenerational, multilingual, transnational, post-pandemic, frontline, grassroots,
    accountable, adverse, affective, ambulatory, anticipatory, bespoke, biographical, bottom-up,
    top-down, caring, citizen-led, civic, coercive, communal, compassionate, competing, consensual,
    contested, creative, cumulative, deliberative, dialogic, discretionary, embodied, enduring,
    epistemic, everyday, exploratory, formative, gendered, holistic, interpretive, invisible,
    joined-up, lay, mandatory, material, mixed, moral, multi-level, mutual, networked, normative,
    outcome-based, paternalistic, peer-to-peer, precarious, proactive, procedural, protective,
    reciprocal, responsive, restorative, salutogenic, situated, socio-technical, summative,
    supportive, symbolic, tiered, trusted, unpaid, value-based, whole-system"
);

word_list!(
    nouns,
    "coproduction, co-design, engagement, involvement, participation, partnership, collaboration,
    governance, leadership, accountability, trust, power, equity, inequality, inequity, disparity,
    deprivation, poverty, resilience, wellbeing, recovery, self-management, self-efficacy,
    empowerment, autonomy, agency, identity, stigma, discrimination, loneliness, isolation,
    belonging, dignity, compassion, empathy, burnout, workload, retention, turnover, workforce,
    capacity, capability, competence, literacy, knowledge, evidence, expertise, learning, training,
    education, supervision, mentoring, reflection, feedback, evaluation, assessment, measurement,
    monitoring, surveillance, screening, diagnosis, treatment, therapy, rehabilitation, prevention,
    promotion, intervention, programme, pathway, service, provision, delivery, access, uptake,
    adherence, attendance, referral, discharge, admission, readmission, transition, continuity,
    coordination, integration, commissioning, funding, investment, cost, value, efficiency,
    productivity, quality, safety, harm, risk, uncertainty, decision-making, prioritisation,
    priority-setting, planning, implementation, adoption, diffusion, scale-up, sustainability,
    fidelity, adaptation, innovation, technology, telehealth, telemedicine, platform, data,
    dashboard, registry, consultation, dialogue, deliberation, consensus, negotiation, conflict,
    tension, boundary, brokerage, mobilisation, translation, exchange, impact, benefit, burden,
    barrier, facilitator, enabler, mechanism, context, process, practice, policy, guidance,
    framework, model, theory, approach, strategy, toolkit, typology, taxonomy, discourse, language,
    communication, information, misinformation, awareness, attitude, belief, perception,
    expectation, preference, satisfaction, experience, encounter, relationship, network, community,
    neighbourhood, household, family, caregiving, parenting, childhood, adolescence, ageing,
    frailty, dementia, depression, anxiety, psychosis, suicide, self-harm, addiction, obesity,
    diabetes, hypertension, asthma, cancer, stroke, arthritis, pain, fatigue, sleep, nutrition, diet,
    exercise, mobility, falls, disability, impairment, multimorbidity, polypharmacy, medication,
    prescribing, vaccination, immunisation, infection, COVID-19, influenza, tuberculosis, HIV,
    malaria, pregnancy, breastfeeding, contraception, menopause, housing, homelessness, employment,
    unemployment, income, transport, greenspace, climate, pollution, migration, ethnicity, gender,
    sexuality, culture, religion, spirituality, citizenship, democracy, legitimacy, transparency,
    ethics, consent, confidentiality, privacy, ownership, authorship, reciprocity, remuneration,
    recognition, visibility, voice, representation, diversity, inclusion, exclusion,
    marginalisation, intersectionality, racism, decolonisation, reform, restructuring, austerity,
    privatisation, regulation, inspection, audit, benchmarking, performance, incentives, payment,
    insurance, coverage, affordability, availability, acceptability, appropriateness, feasibility,
    effectiveness, efficacy, variation, heterogeneity, bias, confounding, validity, reliability,
    prevalence, incidence, mortality, morbidity, survival, prognosis, trajectory, determinant,
    predictor, association, storytelling, advocacy, volunteering, befriending, signposting,
    triage, handover, teamwork, hierarchy, professionalism, identity-work, sensemaking,
    absenteeism, accreditation, acculturation, adversity, alliance, ambivalence, anticipation,
    apprenticeship, appraisal, architecture, assimilation, attrition, biography, biomarker,
    bureaucracy, calibration, care-planning, caseload, certification, choice, civility,
    classification, coaching, cohesion, collusion, commodification, comorbidity, compliance,
    concordance, confidence, connectivity, contestation, convergence, coping, credibility,
    curriculum, custody, debriefing, deinstitutionalisation, delegation, deskilling, disclosure,
    discretion, displacement, distress, documentation, embodiment, emotion-work, endurance,
    entitlement, epistemology, equality, escalation, exhaustion, expectancy, facilitation, fairness,
    financing, flexibility, fragility, friendship, gatekeeping, generalisability, gentrification,
    grief, habit, hope, hospitality, humility, hybridity, imagination, immunity, infrastructure,
    inheritance, insecurity, institutionalisation, interdependence, interpretation, intimacy,
    justice, kinship, labour, legacy, licensing, liminality, livelihood, malnutrition, masculinity,
    materiality, meaning-making, memory, mindfulness, misrecognition, modernisation, momentum,
    morale, motivation, mutuality, neglect, normalisation, obligation, openness, optimism, outreach,
    paternalism, patienthood, personhood, persuasion, pluralism, positionality, precarity, presence,
    professionalisation, prosperity, purpose, rationing, readiness, reassurance, receptivity,
    redistribution, reflexivity, regeneration, rehousing, reintegration, relapse, reputation,
    resistance, resourcefulness, respite, responsibility, responsiveness, restraint, revalidation,
    ritual, routinisation, salience, scarcity, scepticism, segregation, selfhood, sensitivity,
    solidarity, stewardship, subjectivity, succession, suffering, tokenism, trustworthiness,
    usability, vigilance, vulnerability, waiting, wayfinding, wellness, witnessing, worry"
);

word_list!(
    populations,
    "older adults, older people, young people, children, adolescents, parents, carers, family carers,
    unpaid carers, service users, patients, people with dementia, people living with HIV,
    people experiencing homelessness, refugees, asylum seekers, migrants, ethnic minority groups,
    Indigenous communities, rural residents, nurses, midwives, general practitioners,
    physiotherapists, social workers, pharmacists, health visitors, paramedics,
    community health workers, allied health professionals, medical students, nursing students,
    junior doctors, commissioners, policymakers, managers, researchers, public advisors,
    peer supporters, volunteers, veterans, prisoners, care home residents, stroke survivors,
    cancer survivors, people with type 2 diabetes, people with chronic pain,
    people with learning disabilities, autistic adults, pregnant women, new mothers, fathers,
    low-income households, unemployed adults, shift workers, athletes, university students,
    schoolteachers, farmers, fishers, older men, adolescent girls, frail older adults,
    kinship carers, bereaved families, hospice staff, sonographers, occupational therapists"
);

word_list!(
    settings,
    "primary care, secondary care, acute hospitals, emergency departments, intensive care units,
    care homes, nursing homes, community settings, rural communities, urban neighbourhoods,
    low- and middle-income countries, sub-Saharan Africa, South Asia, Scandinavia,
    the United Kingdom, England, Scotland, Wales, Northern Ireland, Ireland, Canada, Australia,
    New Zealand, the United States, Brazil, Germany, the Netherlands, Spain, Italy, China, Japan,
    India, Kenya, Ghana, South Africa, mental health services, maternity services, general practice,
    community pharmacies, schools, universities, workplaces, prisons, faith organisations,
    local authorities, integrated care systems, the NHS, public health departments,
    social care services, voluntary organisations, sports clubs, leisure centres,
    online communities, hospices, outpatient clinics, memory clinics, refugee camps,
    remote islands, coastal towns, former mining communities, Arctic settlements, megacities"
);

word_list!(
    designs,
    "qualitative study, mixed-methods study, systematic review, scoping review, rapid review,
    realist evaluation, realist review, process evaluation, cluster randomised trial,
    randomised controlled trial, pilot study, feasibility study, cohort study, cross-sectional survey,
    case study, multiple case study, ethnographic study, participatory action research study,
    Delphi study, modelling study, economic evaluation, secondary analysis, meta-analysis,
    narrative review, interview study, longitudinal study, natural experiment, stepped-wedge trial,
    co-design study, document analysis, discrete choice experiment, nominal group study,
    photovoice study, qualitative evidence synthesis, umbrella review, cost-utility analysis"
);

word_list!(
    outcomes,
    "quality of life, mental wellbeing, physical activity, hospital admissions,
    emergency attendances, patient satisfaction, health literacy, self-reported health,
    functional ability, loneliness scores, medication adherence, vaccine uptake, waiting times,
    length of stay, return to work, healthy eating, smoking cessation, alcohol consumption,
    blood pressure control, glycaemic control, weight loss, fall rates, care costs, staff wellbeing,
    job satisfaction, social connectedness, service engagement, treatment completion,
    recovery outcomes, carer burden, school attendance, educational attainment, sleep quality,
    pain interference, depressive symptoms, anxiety symptoms, suicidal ideation,
    all-cause mortality, unplanned readmissions, shared decision-making, continuity of care"
);

word_list!(
    verbs,
    "shapes, influences, predicts, supports, undermines, enables, constrains, improves, reduces,
    increases, sustains, transforms, mediates, moderates, explains, drives, strengthens, weakens,
    hinders, facilitates, reframes, legitimises, obscures"
);

word_list!(
    verbs_base,
    "shape, influence, support, enable, improve, reduce, increase, sustain, transform, strengthen,
    protect, promote, widen, narrow"
);

word_list!(
    gerunds,
    "Exploring, Understanding, Evaluating, Assessing, Examining, Developing, Implementing,
    Co-producing, Co-designing, Mapping, Measuring, Comparing, Rethinking, Reimagining,
    Strengthening, Supporting, Integrating, Embedding, Sustaining, Scaling, Tailoring, Modelling,
    Theorising, Characterising, Investigating, Describing, Identifying, Prioritising, Reducing,
    Improving, Addressing, Tackling, Navigating, Negotiating, Building, Enabling, Mobilising,
    Translating, Adapting, Testing"
);

word_list!(
    methods,
    "semi-structured interviews, focus groups, online surveys, participant observation,
    routinely collected data, electronic health records, field notes, structured questionnaires,
    deliberative workshops, document review, solicited diaries, administrative data,
    walking interviews, photo elicitation"
);

word_list!(
    analyses,
    "thematic analysis, framework analysis, reflexive thematic analysis, multilevel regression,
    logistic regression, interrupted time series analysis, grounded theory, content analysis,
    mixed-effects models, Bayesian hierarchical models, difference-in-differences analysis,
    structural equation modelling, social network analysis, interpretative phenomenological analysis"
);

word_list!(
    cities,
    "Liverpool, Leeds, Bristol, Cardiff, Glasgow, Edinburgh, Belfast, Dublin, Manchester, Sheffield,
    Nottingham, Oxford, Cambridge, Exeter, York, Stirling, Aberdeen, Toronto, Melbourne, Sydney,
    Auckland, Utrecht, Leuven, Aarhus, Uppsala, Bergen, Tampere, Kraków, Porto, Valencia, Bologna,
    Nairobi, Accra, Cape Town, Mumbai, Kyoto, Seoul, Wuhan, São Paulo, Montréal, Zürich, Münster"
);

word_list!(
    nav_noise,
    "Facial reconstruction, Physical activity and health, Coastal ecology, Dementia friendly towns,
    Open research week, Graduate school news, Library opening hours, Staff directory,
    Research excellence, Sustainable campus, Digital humanities hub, Public engagement awards"
);

word_list!(
    roles,
    "Programme Manager, Research Associate, Research Fellow, Reader, Public Advisor, Professor,
    Senior Lecturer, Lecturer, Consultant, PhD Candidate, Clinical Lead, Data Analyst"
);

word_list!(
    funders,
    "National Institute for Health and Care Research, Wellcome Trust, Economic and Social Research Council,
    Medical Research Council, Health Research Board, Canadian Institutes of Health Research,
    National Health and Medical Research Council, Deutsche Forschungsgemeinschaft,
    Novo Nordisk Foundation, Nuffield Foundation, Health Foundation, Leverhulme Trust"
);

const MONTHS_SHORT: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTHS_LONG: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const SMALL_NUMBERS: [&str; 6] = ["three", "four", "five", "six", "seven", "eight"];

// ---------------------------------------------------------------------------------------------
// People.

#[derive(Debug, Clone, Copy)]
struct Person {
    family: &'static str,
    given: &'static str,
    middle: Option<&'static str>,
}

fn is_han(s: &str) -> bool {
    s.chars().next().is_some_and(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

fn person(r: &mut Rng) -> Person {
    let family = r.pick(families());
    if is_han(family) {
        return Person { family, given: r.pick(han_given_names()), middle: None };
    }
    let given = r.pick(given_names());
    let middle = if r.percent(30) { Some(r.pick(given_names())) } else { None };
    Person { family, given, middle }
}

fn first_char(s: &str) -> char {
    s.chars().next().unwrap_or('X')
}

impl Person {
    /// "DG": the initials PubMed and EPrints print without dots.
    fn push_initials(&self, out: &mut String) {
        out.push(first_char(self.given));
        if let Some(m) = self.middle {
            out.push(first_char(m));
        }
    }

    /// "D. G.": the dotted initials of APA and labelled pages.
    fn push_dotted(&self, out: &mut String) {
        out.push(first_char(self.given));
        out.push('.');
        if let Some(m) = self.middle {
            out.push(' ');
            out.push(first_char(m));
            out.push('.');
        }
    }

    /// "Deborah Ikhile", as PubMed shows the first author.
    fn push_display(&self, out: &mut String) {
        out.push_str(self.given);
        out.push(' ');
        out.push_str(self.family);
    }

    /// "Ikhile DG", the Vancouver form of PubMed reference lists.
    fn push_vancouver(&self, out: &mut String) {
        out.push_str(self.family);
        out.push(' ');
        self.push_initials(out);
    }
}

fn authors(r: &mut Rng) -> Vec<Person> {
    let n = match r.below(10) {
        0 => 1,
        1..=5 => 2 + r.below(3),
        _ => 5 + r.below(5),
    };
    (0..n).map(|_| person(r)).collect()
}

// ---------------------------------------------------------------------------------------------
// Journals: a fixed catalogue of 200 (8 naming patterns x 25 fields), each tied to one publisher
// whose DOI shape it uses. The catalogue does not depend on the seed, like a real one.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Publisher {
    Elsevier,
    TaylorFrancis,
    Wiley,
    Bmc,
    Frontiers,
    Jmir,
    ElsevierPii,
    Emerald,
}

impl Publisher {
    fn prefix(self) -> &'static str {
        match self {
            Publisher::Elsevier | Publisher::ElsevierPii => "10.1016",
            Publisher::TaylorFrancis => "10.1080",
            Publisher::Wiley => "10.1111",
            Publisher::Bmc => "10.1186",
            Publisher::Frontiers => "10.3389",
            Publisher::Jmir => "10.2196",
            Publisher::Emerald => "10.1108",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Publisher::Elsevier | Publisher::ElsevierPii => "Elsevier BV",
            Publisher::TaylorFrancis => "Routledge",
            Publisher::Wiley => "John Wiley and Sons Inc.",
            Publisher::Bmc => "BioMed Central",
            Publisher::Frontiers => "Frontiers Media S.A.",
            Publisher::Jmir => "JMIR Publications Inc.",
            Publisher::Emerald => "Emerald Publishing Limited",
        }
    }
}

#[derive(Debug, Clone)]
struct Journal {
    name: String,
    abbrev: String,
    /// The short code publishers put in DOIs and article ids ("hsrq", "fph", "12913").
    code: String,
    issn_print: String,
    issn_online: String,
    publisher: Publisher,
    founded: i32,
}

const FIELDS: [(&str, &str, &str); 25] = [
    ("Public Health", "Public Health", "ph"),
    ("Health Services Research", "Health Serv Res", "hsr"),
    ("Nursing Studies", "Nurs Stud", "ns"),
    ("Primary Care", "Prim Care", "pc"),
    ("Mental Health", "Ment Health", "mh"),
    ("Health Policy", "Health Policy", "hp"),
    ("Social Care", "Soc Care", "sc"),
    ("Community Health", "Community Health", "ch"),
    ("Epidemiology", "Epidemiol", "ep"),
    ("Rehabilitation", "Rehabil", "reh"),
    ("Medical Education", "Med Educ", "me"),
    ("Health Psychology", "Health Psychol", "hpsy"),
    ("Sport and Exercise Science", "Sport Exerc Sci", "ses"),
    ("Nutrition and Dietetics", "Nutr Diet", "nd"),
    ("Child Health", "Child Health", "chh"),
    ("Ageing and Society", "Ageing Soc", "ags"),
    ("Digital Health", "Digit Health", "dh"),
    ("Global Health", "Glob Health", "gh"),
    ("Implementation Science", "Implement Sci", "is"),
    ("Patient Experience", "Patient Exp", "pe"),
    ("Health Economics", "Health Econ", "he"),
    ("Occupational Therapy", "Occup Ther", "ot"),
    ("Palliative Care", "Palliat Care", "pal"),
    ("Participatory Research", "Particip Res", "pr"),
    ("Disability Studies", "Disabil Stud", "ds"),
];

/// An ISSN with a correct check digit, so nothing downstream can tell it from a real one.
fn issn(mut h: u64) -> String {
    let mut digits = [0u32; 7];
    for d in &mut digits {
        *d = (h % 10) as u32;
        h /= 10;
    }
    let sum: u32 = digits.iter().enumerate().map(|(k, d)| d * (8 - k as u32)).sum();
    let check = (11 - sum % 11) % 11;
    let mut s = String::with_capacity(9);
    for (k, d) in digits.iter().enumerate() {
        if k == 4 {
            s.push('-');
        }
        s.push(char::from_digit(*d, 10).unwrap_or('0'));
    }
    s.push(if check == 10 { 'X' } else { char::from_digit(check, 10).unwrap_or('0') });
    s
}

fn journals() -> &'static [Journal] {
    static CELL: OnceLock<Vec<Journal>> = OnceLock::new();
    CELL.get_or_init(|| {
        (0..200usize)
            .map(|j| {
                let (field, fabbr, fcode) = FIELDS[j / 8];
                let h = mix64(TAG_JOURNAL ^ j as u64);
                let (name, abbrev, code, publisher) = match j % 8 {
                    0 => {
                        (format!("Journal of {field}"), format!("J {fabbr}"), format!("j{fcode}"), Publisher::Elsevier)
                    }
                    1 => (
                        format!("International Journal of {field}"),
                        format!("Int J {fabbr}"),
                        format!("ij{fcode}"),
                        Publisher::TaylorFrancis,
                    ),
                    2 => (format!("{field} Quarterly"), format!("{fabbr} Q"), format!("{fcode}q"), Publisher::Wiley),
                    3 => (
                        format!("BMC {field}"),
                        format!("BMC {fabbr}"),
                        format!("12{:03}", 800 + j / 8),
                        Publisher::Bmc,
                    ),
                    4 => (
                        format!("Frontiers in {field}"),
                        format!("Front {fabbr}"),
                        format!("f{fcode}"),
                        Publisher::Frontiers,
                    ),
                    5 => (format!("JMIR {field}"), format!("JMIR {fabbr}"), format!("jmir{fcode}"), Publisher::Jmir),
                    6 => (
                        format!("Annals of {field}"),
                        format!("Ann {fabbr}"),
                        format!("an{fcode}"),
                        Publisher::ElsevierPii,
                    ),
                    _ => (
                        format!("{field} Review"),
                        format!("{fabbr} Rev"),
                        format!("{}R", fcode.to_uppercase()),
                        Publisher::Emerald,
                    ),
                };
                Journal {
                    name,
                    abbrev,
                    code,
                    issn_print: issn(h >> 8),
                    issn_online: issn(mix64(h)),
                    publisher,
                    founded: 1950 + (h % 45) as i32,
                }
            })
            .collect()
    })
}

/// The DOI in the case a page displays it. `x` is unique across the whole corpus (pages use even
/// numbers, cited works odd ones) and every shape below prints it in a field delimited by
/// non-digits, so two different `x` can never give the same DOI.
fn doi_for(j: &Journal, x: u64, year: i32, month: u32) -> String {
    let check = (x * 7 + 3) % 10;
    let p = j.publisher.prefix();
    match j.publisher {
        Publisher::Elsevier => format!("{p}/j.{}.{year}.{}", j.code, 100_000 + x),
        Publisher::TaylorFrancis => format!("{p}/{}.{year}.{}", j.issn_print.replace('-', ""), 1_000_000 + x),
        Publisher::Wiley => format!("{p}/{}.{}", j.code, 12_000 + x),
        Publisher::Bmc => format!("{p}/s{}-{:03}-{:05}-{check}", j.code, year % 1000, x),
        Publisher::Frontiers => format!("{p}/{}.{year}.{}", j.code, 600_000 + x),
        Publisher::Jmir => format!("{p}/{}", 20_000 + x),
        // Elsevier PII shape, as in S0140-6736(20)30183-5.
        Publisher::ElsevierPii => format!("{p}/S{}({:02}){:05}-{check}", j.issn_print, year % 100, 30_000 + x),
        // Emerald keeps its suffixes upper case, e.g. 10.1108/JPCC-06-2020-0042.
        Publisher::Emerald => format!("{p}/{}-{month:02}-{year}-{x:04}", j.code),
    }
}

// ---------------------------------------------------------------------------------------------
// Text. A tiny template language: `{name}` expands a word class or number, `{=a|b|c}` picks one
// alternative. It keeps sentence banks readable while staying cheap enough for 100,000 pages.

/// Per-page context that templates may consult, so dates in prose fit the article's year.
#[derive(Debug, Clone, Copy)]
struct Cx {
    year: i32,
}

fn push_article_for(out: &mut String, phrase: &str, capital: bool) {
    let vowel = matches!(first_char(phrase), 'a' | 'e' | 'i' | 'o' | 'u');
    out.push_str(match (vowel, capital) {
        (true, true) => "An ",
        (true, false) => "an ",
        (false, true) => "A ",
        (false, false) => "a ",
    });
    out.push_str(phrase);
}

/// Upper-cases the first character written after `start`.
fn cap_from(out: &mut String, start: usize) {
    if let Some(c) = out[start..].chars().next()
        && c.is_lowercase()
    {
        let upper: String = c.to_uppercase().collect();
        out.replace_range(start..start + c.len_utf8(), &upper);
    }
}

fn push_noun_phrase(r: &mut Rng, out: &mut String) {
    match r.below(6) {
        0..=2 => {
            out.push_str(r.pick(adjectives()));
            out.push(' ');
            out.push_str(r.pick(nouns()));
        }
        3 => out.push_str(r.pick(nouns())),
        4 => {
            out.push_str(r.pick(adjectives()));
            out.push(' ');
            out.push_str(r.pick(nouns()));
            out.push(' ');
            out.push_str(r.pick(nouns()));
        }
        _ => {
            out.push_str(r.pick(nouns()));
            out.push_str(" of ");
            out.push_str(r.pick(adjectives()));
            out.push(' ');
            out.push_str(r.pick(nouns()));
        }
    }
}

fn expand(t: &str, r: &mut Rng, cx: Cx, out: &mut String) {
    let mut rest = t;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = open + rest[open..].find('}').unwrap_or(rest.len() - open - 1);
        let name = &rest[open + 1..close];
        rest = &rest[close + 1..];
        let start = out.len();
        if let Some(choices) = name.strip_prefix('=') {
            let n = choices.split('|').count();
            let k = r.below(n);
            out.push_str(choices.split('|').nth(k).unwrap_or(""));
            continue;
        }
        match name {
            "np" | "NP" => push_noun_phrase(r, out),
            "noun" => out.push_str(r.pick(nouns())),
            "adj" => out.push_str(r.pick(adjectives())),
            "pop" | "Pop" => out.push_str(r.pick(populations())),
            "set" => out.push_str(r.pick(settings())),
            "design" => out.push_str(r.pick(designs())),
            "a_design" => push_article_for(out, r.pick(designs()), false),
            "A_design" => push_article_for(out, r.pick(designs()), true),
            "out" | "Out" => out.push_str(r.pick(outcomes())),
            "verb" => out.push_str(r.pick(verbs())),
            "verbb" => out.push_str(r.pick(verbs_base())),
            "G" => out.push_str(r.pick(gerunds())),
            "g" => {
                let g = r.pick(gerunds());
                out.extend(g.chars().flat_map(char::to_lowercase));
            }
            "method" | "Method" => out.push_str(r.pick(methods())),
            "analysis" => out.push_str(r.pick(analyses())),
            "city" => out.push_str(r.pick(cities())),
            "k" => out.push_str(r.pick(&SMALL_NUMBERS)),
            "n1" => push_num(out, r.between(2, 9)),
            "n2" => push_num(out, r.between(12, 98)),
            "n3" => push_num(out, r.between(100, 999)),
            "n4" => push_num(out, r.between(1_000, 9_999)),
            "pct" => push_num(out, r.between(5, 95)),
            "p" => {
                let _ = write!(out, "0.{:03}", r.between(1, 49));
            }
            "or_ci" => {
                // An odds ratio inside its own confidence interval, in hundredths.
                let lo = r.between(101, 180);
                let hi = lo + r.between(20, 150);
                let mid = r.between(lo, hi);
                let _ = write!(
                    out,
                    "OR {}.{:02}, 95% CI {}.{:02}–{}.{:02}",
                    mid / 100,
                    mid % 100,
                    lo / 100,
                    lo % 100,
                    hi / 100,
                    hi % 100
                );
            }
            "age" => push_num(out, r.between(19, 84)),
            "mon" => out.push_str(r.pick(&MONTHS_LONG)),
            "y1" => push_num(out, (cx.year - 1 - r.below(4) as i32).max(1985) as u64),
            "y2" => push_num(out, (cx.year - r.below(2) as i32).max(1986) as u64),
            "person" => person(r).push_display(out),
            _ => out.push_str(name),
        }
        if name.starts_with(|c: char| c.is_ascii_uppercase()) {
            cap_from(out, start);
        }
    }
    out.push_str(rest);
}

/// Lower-case ASCII letters and digits only, for host names and e-mail addresses built from
/// names ("São Paulo" gives "sopaulo"; odd, but a valid host, which is all that matters here).
fn slug(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

fn push_num(out: &mut String, n: u64) {
    let _ = write!(out, "{n}");
}

const TITLE_TEMPLATES: [&str; 14] = [
    "{G} {np} among {pop} in {set}: {a_design}",
    "{NP} and {np} in {set}",
    "The {noun} of {np} for {pop}: {a_design}",
    "Effect of {np} on {out} in {pop}: {a_design}",
    "What {verb} {np} in {set}? {A_design}",
    "{NP} as a route to {out}: lessons from {set}",
    "{G} {np}: {np} and {np} in {set}",
    "Associations between {np} and {out} among {pop}",
    "{NP} in {set}: {a_design} of {np} with {pop}",
    "Towards {adj} {noun}: {g} {np} for {out}",
    "{A_design} of {np} to improve {out} among {pop}",
    "{NP}, {noun} and {noun} in {set}",
    "{G} the {noun} of {np} in {set}",
    "Does {np} {verbb} {out}? Evidence from {set}",
];

/// A plausible research title of 6-20 words, about half with a colon or question subtitle.
/// Titles that mention the pandemic are redrawn for works published before it.
fn title(r: &mut Rng, year: i32) -> String {
    let cx = Cx { year };
    let mut t = String::with_capacity(128);
    for _ in 0..16 {
        t.clear();
        expand(r.pick(&TITLE_TEMPLATES), r, cx, &mut t);
        cap_from(&mut t, 0);
        let anachronism = year < 2020 && (t.contains("COVID") || t.contains("pandemic"));
        if (6..=20).contains(&t.split_whitespace().count()) && !anachronism {
            break;
        }
    }
    t
}

const BACKGROUND: [&str; 14] = [
    "Despite growing interest, {np} has rarely been studied in {set}.",
    "{Pop} face {adj} barriers to {noun}, which may widen inequalities in {out}.",
    "Existing frameworks for {np} were developed mainly in {set} and may not transfer to {set}.",
    "The literature offers competing accounts of how {np} works in practice.",
    "Rising demand for {noun} has put pressure on {set} since {y1}.",
    "We therefore asked what {np} looks like from the perspective of {pop}.",
    "{NP} is increasingly promoted as a way to improve {out} in {set}.",
    "However, little is known about how {pop} experience {np}.",
    "Evidence on {np} remains {=limited|fragmented|inconsistent}, particularly for {pop} in {set}.",
    "Previous work has linked {np} with {out}, but the mechanisms are poorly understood.",
    "Since {y1}, policy in {set} has emphasised {np} and {np}.",
    "This study aimed to explore how {np} {verb} {np} among {pop}.",
    "{NP} and {np} are central to {adj} {noun}, yet they are rarely {=evaluated|examined|measured} together.",
    "Calls for {np} have grown, but {pop} are seldom asked what {noun} means to them.",
];

const METHODS: [&str; 14] = [
    "Participants were purposively sampled to capture variation in {noun} and {noun}.",
    "Two reviewers screened titles and abstracts, and disagreements were resolved by discussion.",
    "Ethical approval was granted by the {city} research ethics committee in {y1}.",
    "Costs were estimated from the perspective of {set} over {n1} years.",
    "{Pop} and {pop} co-facilitated {n1} workshops to refine the programme theory.",
    "Missing data were handled by multiple imputation under a missing-at-random assumption.",
    "We conducted {a_design} with {n3} {pop} recruited from {n1} sites in {set}.",
    "Data were collected through {method} between {mon} {y1} and {mon} {y2}.",
    "{Method} were analysed using {analysis}.",
    "The primary outcome was {out}; secondary outcomes included {out} and {out}.",
    "{Pop} were involved as co-researchers throughout, from design to dissemination.",
    "A total of {n2} {=interviews|focus groups|workshops|observation sessions} were conducted and audio-recorded with consent.",
    "We searched {n1} databases from inception to {mon} {y2} and screened {n4} records.",
    "Analysis followed {analysis}, with {n1} researchers coding independently.",
];

const RESULTS: [&str; 14] = [
    "Uptake of {noun} was higher in {set} than in {set} ({pct}% versus {pct}%).",
    "The intervention was judged {adj} by {pct}% of {pop}.",
    "Effects were attenuated after adjustment for {noun} and {noun}.",
    "{NP} emerged as a cross-cutting theme linking {np} and {np}.",
    "The incremental cost per quality-adjusted life year was £{n4}.",
    "Response rates ranged from {pct}% to {pct}% across sites.",
    "{n3} participants ({pct}% women; mean age {age} years) took part.",
    "{NP} was associated with better {out} ({or_ci}; p = {p}).",
    "We identified {k} themes: {np}, {np} and {np}.",
    "{Out} improved by {pct}% in the intervention group compared with usual care (p = {p}).",
    "Participants described {np} as both {adj} and {adj}.",
    "Barriers included {np} and {np}, whereas {np} acted as a facilitator.",
    "{NP} {verb} {out} most strongly among {pop}.",
    "Of {n4} records screened, {n2} studies met the inclusion criteria.",
];

const CONCLUSIONS: [&str; 14] = [
    "{NP} is not a single intervention but a set of practices that depend on {np}.",
    "Commissioners should treat {np} as a long-term investment rather than a short-term fix.",
    "Our results support {adj} approaches to {noun} that recognise {np}.",
    "Larger trials are needed before {np} can be recommended for {pop}.",
    "Attention to {np} could make {noun} more {adj} for {pop}.",
    "The approach is {adj} and could be adapted for {set}.",
    "Policymakers in {set} should weigh {np} against {np}.",
    "{NP} deserves a place in routine {noun} planning.",
    "{NP} may {verbb} {out} for {pop}, but {np} requires further attention.",
    "Future research should examine {np} in {set}.",
    "These findings have implications for {np} and for {adj} {noun} in {set}.",
    "Services seeking to strengthen {np} should involve {pop} from the outset.",
    "{NP} offers a {adj} route to {out}, provided that {np} is resourced.",
    "We propose {k} recommendations for {np} in {set}.",
];

/// Appends `n` sentences from `bank`, never the same template twice in a row of `n` (a
/// paragraph that says "However, little is known" twice reads as generated).
fn sentences(r: &mut Rng, cx: Cx, bank: &[&str], n: usize, out: &mut String) {
    debug_assert!(bank.len() <= 64);
    let mut used = 0u64;
    for k in 0..n {
        if k > 0 {
            out.push(' ');
        }
        if used.count_ones() as usize >= bank.len() {
            used = 0;
        }
        let mut t = r.below(bank.len());
        while used & (1 << t) != 0 {
            t = (t + 1) % bank.len();
        }
        used |= 1 << t;
        let start = out.len();
        expand(bank[t], r, cx, out);
        cap_from(out, start);
    }
}

/// A structured abstract as (heading, paragraph) pairs; about 200-350 words.
fn abstract_sections(r: &mut Rng, cx: Cx) -> Vec<(&'static str, String)> {
    let mut res = Vec::with_capacity(5);
    let banks: [(&[&'static str], &[&str]); 4] = [
        (&["Background", "Introduction", "Objectives"], &BACKGROUND),
        (&["Methods", "Design", "Methods"], &METHODS),
        (&["Results", "Findings", "Results"], &RESULTS),
        (&["Conclusions", "Conclusion", "Discussion"], &CONCLUSIONS),
    ];
    for (heads, bank) in banks {
        let mut p = String::with_capacity(512);
        let n = 3 + r.below(3);
        sentences(r, cx, bank, n, &mut p);
        res.push((r.pick(heads), p));
    }
    if r.percent(25) {
        let mut p = String::new();
        expand("{Pop} contributed to the design of the study and to the interpretation of findings.", r, cx, &mut p);
        cap_from(&mut p, 0);
        res.push(("Patient or Public Contribution", p));
    }
    res
}

/// Replaces ASCII hyphens with U+2010, as Wiley-derived HTML often does, when `uni` is set.
fn hyphens(s: &str, uni: bool) -> String {
    if uni { s.replace('-', "\u{2010}") } else { s.to_string() }
}

fn keywords(r: &mut Rng) -> Vec<&'static str> {
    let n = 3 + r.below(5);
    let mut res: Vec<&'static str> = Vec::with_capacity(n);
    while res.len() < n {
        let w = if r.percent(60) { r.pick(nouns()) } else { r.pick(outcomes()) };
        if !res.contains(&w) {
            res.push(w);
        }
    }
    res
}

// ---------------------------------------------------------------------------------------------
// Articles and cited works.

/// The record a page is about, before a shape decides how much of it to show.
#[derive(Debug, Clone)]
struct Article {
    title: String,
    authors: Vec<Person>,
    year: i32,
    month: u32,
    day: u32,
    journal: &'static Journal,
    volume: i32,
    issue: u32,
    fpage: u32,
    lpage: u32,
    doi: String,
    pmid: u64,
    pmcid: u64,
    sections: Vec<(&'static str, String)>,
    keywords: Vec<&'static str>,
}

fn pmid_for(r: &mut Rng, year: i32) -> u64 {
    // PubMed ids grow by roughly a million a year; keep ours in the right decade of magnitude.
    1_000_000 + (year - 1990) as u64 * 1_050_000 + r.between(0, 999_999)
}

fn pmcid_for(r: &mut Rng, year: i32) -> u64 {
    1_000_000 + (year.max(2000) - 2000) as u64 * 450_000 + r.between(0, 399_999)
}

fn article(r: &mut Rng, i: usize) -> Article {
    // Skewed towards recent years, as any scraped corpus is.
    let year = 1990 + (36.0 * r.unit().sqrt()) as i32;
    let year = year.min(2025);
    let journal = &journals()[r.below(journals().len())];
    let month = 1 + r.below(12) as u32;
    let fpage = r.between(1, 2_900) as u32;
    let title = title(r, year);
    let authors = authors(r);
    let cx = Cx { year };
    let sections = abstract_sections(r, cx);
    Article {
        title,
        authors,
        year,
        month,
        day: 1 + r.below(28) as u32,
        journal,
        volume: (year - journal.founded + 1).max(1),
        issue: 1 + (month - 1) / 2,
        fpage,
        lpage: fpage + r.between(5, 20) as u32,
        doi: doi_for(journal, 2 * i as u64, year, month),
        pmid: pmid_for(r, year),
        pmcid: pmcid_for(r, year),
        sections,
        keywords: keywords(r),
    }
}

/// A work in the shared pool of cited works; pure function of `(seed, k)`, so every page that
/// cites work `k` cites the same title, authors and DOI.
#[derive(Debug, Clone)]
struct Work {
    k: u64,
    authors: Vec<Person>,
    title: String,
    year: i32,
    journal: &'static Journal,
    volume: i32,
    issue: u32,
    fpage: u32,
    lpage: u32,
    doi: Option<String>,
}

fn work(seed: u64, k: u64) -> Work {
    let mut r = Rng(key(seed, TAG_WORK, k));
    let year = work_year(&mut r);
    let journal = &journals()[r.below(journals().len())];
    let month = 1 + r.below(12) as u32;
    let fpage = r.between(1, 2_900) as u32;
    let title = title(&mut r, year);
    let authors = authors(&mut r);
    // About one cited work in five has no DOI (reports, guidance, old papers), as in the seeds.
    let doi = if r.percent(80) { Some(doi_for(journal, 2 * k + 1, year, month)) } else { None };
    Work {
        k,
        authors,
        title,
        year,
        journal,
        volume: (year - journal.founded + 1).max(1),
        issue: 1 + (month - 1) / 2,
        fpage,
        lpage: fpage + r.between(3, 25) as u32,
        doi,
    }
}

/// The first draw of a work's generator, so `draw_refs` can reject works newer than the citing
/// page without building them.
fn work_year(r: &mut Rng) -> i32 {
    1990 + r.below(35) as i32
}

/// A few sentences of a cited work's abstract, the same wherever the work is shown.
fn work_snippet(seed: u64, w: &Work, sentences_n: usize) -> String {
    let mut r = Rng(key(seed, TAG_SNIPPET, w.k));
    let cx = Cx { year: w.year };
    let mut s = String::with_capacity(600);
    for (head, bank) in [
        ("Background", &BACKGROUND[..]),
        ("Methods", &METHODS[..]),
        ("Results", &RESULTS[..]),
        ("Conclusions", &CONCLUSIONS[..]),
    ] {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(head);
        s.push(' ');
        sentences(&mut r, cx, bank, sentences_n, &mut s);
    }
    s
}

/// Draws up to `count` distinct cited works for page `i`, none newer than the page.
///
/// The pool is works `0..64 + i/5`: it grows with the page index (page `i` cannot know the corpus
/// size, yet must be reproducible alone), so a corpus of `n` pages draws from about `n/5` works.
/// Ranks follow a Zipf-Mandelbrot law, weight 1/(k + 30), sampled in closed form as a log-uniform
/// variable. The offset flattens the head, so the most cited work appears on a fifth to a quarter of
/// the pages that list references rather than on nearly all of them, while the tail is cited once
/// or twice.
fn draw_refs(r: &mut Rng, seed: u64, i: usize, year: i32, count: usize) -> Vec<Work> {
    const OFFSET: f64 = 30.0;
    let pool = 64 + i as u64 / 5;
    let ratio = (pool as f64 + OFFSET) / OFFSET;
    let mut res: Vec<Work> = Vec::with_capacity(count);
    let mut tries = 0;
    while res.len() < count && tries < count * 4 {
        tries += 1;
        let x = OFFSET * ratio.powf(r.unit()) - OFFSET;
        let k = (x as u64).min(pool - 1);
        if res.iter().any(|w| w.k == k) || work_year(&mut Rng(key(seed, TAG_WORK, k))) > year {
            continue;
        }
        res.push(work(seed, k));
    }
    res
}

fn push_pages(out: &mut String, a: u32, b: u32, dash: &str) {
    let _ = write!(out, "{a}{dash}{b}");
}

fn truth_for(title: &str, first_author: Option<&Person>, year: i32, doi: Option<&str>) -> Truth {
    Truth {
        title: Some(title.to_string()),
        first_author_family: first_author.map(|p| p.family.to_string()),
        year: Some(year),
        doi: doi.map(str::to_lowercase),
        cited_dois: Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Noise shared by several shapes.

const COOKIE_BANNERS: [&str; 3] = [
    "This site uses cookies to keep you signed in and to understand how pages are used. Some are optional.\nAccept all cookies | Reject optional cookies | Cookie settings\n",
    "We value your privacy\nWe and our partners store small files on your device to measure traffic and personalise content. You can change your choice at any time.\nAccept | Manage choices\n",
    "Cookies on this website\nEssential cookies make the site work. With your permission we would also like to set analytics cookies.\nYes, that's fine   No thanks   Read our cookie policy\n",
];

fn push_cookie_banner(r: &mut Rng, out: &mut String) {
    out.push_str(r.pick(&COOKIE_BANNERS));
    out.push('\n');
}

/// A PubMed-style listing entry for "Similar articles" and "Cited by": these carry DOIs that are
/// not references, which is the point.
fn push_listing_entry(out: &mut String, w: &Work) {
    out.push_str(&w.title);
    out.push('\n');
    w.authors[0].push_vancouver(out);
    if w.authors.len() > 1 {
        out.push_str(", et al");
    }
    let _ = write!(
        out,
        ". {}. {} {};{}({}):",
        w.journal.abbrev,
        w.year,
        MONTHS_SHORT[(w.issue as usize * 2 - 1).min(11)],
        w.volume,
        w.issue
    );
    push_pages(out, w.fpage, w.lpage, "-");
    out.push('.');
    if let Some(d) = &w.doi {
        let _ = write!(out, " doi: {d}.");
    }
    let _ = writeln!(out, " PMID: {}", 10_000_000 + w.k * 37);
    out.push('\n');
}

/// `n` distinct works from the pool, uniformly: listings are by topic, not by citation count.
fn pick_listing(r: &mut Rng, seed: u64, i: usize, n: usize) -> Vec<Work> {
    let pool = 64 + i / 5;
    let mut ks: Vec<u64> = Vec::with_capacity(n);
    while ks.len() < n {
        let k = r.below(pool) as u64;
        if !ks.contains(&k) {
            ks.push(k);
        }
    }
    ks.into_iter().map(|k| work(seed, k)).collect()
}

// ---------------------------------------------------------------------------------------------
// Shape 1: PubMed abstract page.

fn pubmed(r: &mut Rng, seed: u64, i: usize) -> (String, Truth) {
    let a = article(r, i);
    let n_refs = r.below(41);
    let refs = draw_refs(r, seed, i, a.year, n_refs);
    let uni = r.percent(50);
    let j = a.journal;
    let mut s = String::with_capacity(12_000);
    s.push_str(
        "Skip to main page content\nU.S. flag\n\nAn official website of the United States government\n\n\
         Dot gov\n\nThe .gov means it’s official.\n\
         Government sites in this country end in .gov or .mil; check the address before you share anything sensitive.\n\n\
         Https\n\nThe site is secure.\n\
         The https:// prefix means your connection to this site is encrypted.\n\n\
         Access keys NCBI Homepage MyNCBI Homepage Main Content Main Navigation\n",
    );
    // The journal abbreviation is a link on the live page and is often lost when scraped.
    if r.percent(30) {
        s.push_str(&j.abbrev);
    }
    let mon = MONTHS_SHORT[a.month as usize - 1];
    let _ = write!(s, ". {} {mon};{}({}):", a.year, a.volume, a.issue);
    push_pages(&mut s, a.fpage, a.lpage, "-");
    s.push_str(".\n");
    let show_doi = r.percent(90);
    if show_doi {
        let _ = write!(s, "doi: {}.", a.doi);
        if r.percent(70) {
            // The e-publication sometimes precedes the issue by a year; the citation year is the issue's.
            let epub_year = if a.month <= 2 && r.percent(50) { a.year - 1 } else { a.year };
            let _ = write!(s, " Epub {epub_year} {} {}.", MONTHS_SHORT[r.below(12)], 1 + r.below(28));
        }
        s.push('\n');
    }
    let _ = write!(s, "\n{}\n\nAffiliations\n\n{}\n\n", a.title, a.title);
    a.authors[0].push_display(&mut s);
    if a.authors.len() > 1 {
        s.push_str(" et al");
    }
    let _ = write!(s, ". {}. {} {mon}.\n\nAbstract\n\n", j.abbrev, a.year);
    for (head, p) in &a.sections {
        let _ = write!(s, "{head}: {p}\n\n");
    }
    if r.percent(80) {
        s.push_str("Keywords: ");
        s.push_str(&a.keywords.join("; "));
        s.push_str(".\n\n");
    }
    s.push_str("PubMed Disclaimer\n\nConflict of interest statement\n\n");
    s.push_str(r.pick(&[
        "The authors declare no conflict of interest.",
        "The authors declare no competing interests.",
        "None declared.",
    ]));
    s.push_str("\n\n");
    let figures = r.below(4);
    if figures > 0 {
        s.push_str("Figures\n\n");
        for f in 1..=figures {
            let _ = write!(s, "Figure {f}\nFigure {f}\n");
            let start = s.len();
            push_noun_phrase(r, &mut s);
            cap_from(&mut s, start);
            s.push_str(" by ");
            s.push_str(r.pick(populations()));
            s.push_str(".\n");
        }
        s.push('\n');
    }
    s.push_str("Similar articles\n\n");
    let similar = r.below(6);
    for w in pick_listing(r, seed, i, similar) {
        push_listing_entry(&mut s, &w);
    }
    s.push_str("Cited by\n\n");
    let cited_by = r.below(4);
    for w in pick_listing(r, seed, i, cited_by) {
        push_listing_entry(&mut s, &w);
    }
    let mut cited = Vec::new();
    if !refs.is_empty() {
        s.push_str("References\n\n");
        // Scraped PubMed lists often lose the numbering and show "1." on every line, as the seed does.
        let all_ones = r.percent(50);
        let dash = if uni { "\u{2010}" } else { "-" };
        for (n, w) in refs.iter().enumerate() {
            let _ = write!(s, "    {}. ", if all_ones { 1 } else { n + 1 });
            let shown = if w.authors.len() > 6 { 3 } else { w.authors.len() };
            for (k, p) in w.authors[..shown].iter().enumerate() {
                if k > 0 {
                    s.push_str(", ");
                }
                p.push_vancouver(&mut s);
            }
            if shown < w.authors.len() {
                s.push_str(", et al");
            }
            s.push_str(". ");
            s.push_str(&hyphens(&w.title, uni));
            let _ = write!(s, ". {}. {};{}({}):", w.journal.abbrev, w.year, w.volume, w.issue);
            push_pages(&mut s, w.fpage, w.lpage, dash);
            s.push('.');
            match &w.doi {
                // Sometimes only the "DOI" link survives, without the DOI text: then the page
                // does not show it and the truth must not claim it.
                Some(d) if r.percent(85) => {
                    let _ = write!(s, " {d} - DOI");
                    cited.push(d.to_lowercase());
                    if r.percent(60) {
                        s.push_str(" - PMC");
                    }
                    s.push_str(" - PubMed");
                }
                Some(_) => s.push_str(" - DOI - PubMed"),
                None if r.percent(50) => {
                    let _ = write!(
                        s,
                        " Accessed {} {}, {}. https://www.{}-health.org/reports/{}/{}.pdf",
                        MONTHS_LONG[r.below(12)],
                        1 + r.below(28),
                        a.year,
                        slug(r.pick(cities())),
                        w.year,
                        w.k
                    );
                }
                None => s.push_str(" - PubMed"),
            }
            s.push('\n');
        }
        s.push('\n');
    }
    s.push_str("Publication types\n\n");
    s.push_str(r.pick(&[
        "Research Support, Non-U.S. Gov't\n",
        "Review\n",
        "Randomized Controlled Trial\n",
        "Observational Study\n",
    ]));
    s.push_str("\nMeSH terms\n\nHumans\n");
    for _ in 0..r.below(5) {
        let start = s.len();
        s.push_str(r.pick(nouns()));
        cap_from(&mut s, start);
        s.push_str("*\n");
    }
    s.push_str("\nLinkOut - more resources\n\nFull Text Sources\n\n");
    s.push_str(j.publisher.name());
    s.push_str("\n\nPubMed Central\n");
    let mut truth = truth_for(&a.title, Some(&a.authors[0]), a.year, show_doi.then_some(a.doi.as_str()));
    truth.cited_dois = cited;
    (s, truth)
}

// ---------------------------------------------------------------------------------------------
// Shape 2: EPrints repository record.

fn eprints(r: &mut Rng, i: usize) -> (String, Truth) {
    let a = article(r, i);
    let j = a.journal;
    let city = r.pick(cities());
    let mut s = String::with_capacity(6_000);
    if r.percent(25) {
        push_cookie_banner(r, &mut s);
    }
    // The first line is site navigation, not the title (seed 000).
    s.push_str(r.pick(nav_noise()));
    let _ = write!(s, "\n\nSearch {city} Research Online\n\nBrowse Repository | Browse E-Theses\n\n{}\n\n", a.title);
    let n = a.authors.len();
    for (k, p) in a.authors.iter().enumerate() {
        if k > 0 {
            s.push_str(if k + 1 == n { " and " } else { ", " });
        }
        s.push_str(p.family);
        s.push_str(", ");
        p.push_initials(&mut s);
    }
    let _ = write!(
        s,
        " ({}) {}. {}. ISSN {}\n\n",
        a.year,
        a.title,
        j.name,
        if r.percent(50) { &j.issn_online } else { &j.issn_print }
    );
    // The file name is the title with punctuation flattened, as repositories store uploads.
    let file: String = a.title.chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
    let file = file.split_whitespace().collect::<Vec<_>>().join(" ");
    let _ = write!(
        s,
        "{file}.pdf - {}\nAvailable under License Creative Commons Attribution{}.\n\nDownload ({}MB) | Preview\n",
        r.pick(&["Published Version", "Accepted Version"]),
        r.pick(&["", " Non-commercial", " Non-commercial No Derivatives"]),
        1 + r.below(9)
    );
    let open_url = r.percent(80);
    if open_url {
        let _ = writeln!(s, "Open Access URL: https://doi.org/{} (published)", a.doi);
    }
    s.push_str("\n\n");
    // Repository abstracts are unstructured, and hard-wrapped at odd places when scraped.
    for (_, p) in &a.sections {
        let mut col = 0;
        for w in p.split(' ') {
            if col > 0 {
                if col > 180 && r.percent(8) {
                    s.push('\n');
                    col = 0;
                } else {
                    s.push(' ');
                }
            }
            s.push_str(w);
            col += w.len() + 1;
        }
        s.push('\n');
    }
    let _ = write!(
        s,
        "\nItem Type: Article\nUncontrolled Keywords: {}\nSubjects: R Medicine > RA Public aspects of medicine\nDivisions: {}\nPublisher: {}\n",
        a.keywords.join("; "),
        FIELDS[r.below(FIELDS.len())].0,
        j.publisher.name()
    );
    if r.percent(50) {
        s.push_str("SWORD Depositor: A Symplectic\n");
    } else {
        // A named depositor who is not an author.
        s.push_str("Depositor: ");
        person(r).push_display(&mut s);
        s.push('\n');
    }
    let dep_year = a.year + r.below(2) as i32;
    let _ = write!(
        s,
        "Date Deposited: {:02} {} {dep_year} {:02}:{:02}\nLast Modified: {:02} {} {} {:02}:{:02}\n",
        1 + r.below(28),
        MONTHS_SHORT[r.below(12)],
        r.below(24),
        r.below(60),
        1 + r.below(28),
        MONTHS_SHORT[r.below(12)],
        dep_year + r.below(3) as i32,
        r.below(24),
        r.below(60)
    );
    let id_line = !open_url || r.percent(85);
    if id_line {
        // Without a scheme, as in the seed.
        let _ = writeln!(s, "DOI or ID number: doi.org/{}", a.doi);
    }
    let _ = write!(
        s,
        "URI: https://researchonline.{}.ac.uk/id/eprint/{}\n\nStatistics\n\nDownloads per month over past year\n",
        slug(city),
        10_000 + i
    );
    // Download counters: numbers in a column, as the scraped chart leaves them.
    for m in MONTHS_SHORT {
        let _ = writeln!(s, "{m} {}", r.below(40));
    }
    s.push_str("\nOrigin of downloads\n\nActions (login required)\n\nView Item View Item\n");
    (s, truth_for(&a.title, Some(&a.authors[0]), a.year, Some(&a.doi)))
}

// ---------------------------------------------------------------------------------------------
// Shape 3: ScienceOpen page.

fn scienceopen(r: &mut Rng, seed: u64, i: usize) -> (String, Truth) {
    let a = article(r, i);
    let n_refs = r.below(41);
    let refs = draw_refs(r, seed, i, a.year, n_refs);
    let uni = r.percent(60);
    let j = a.journal;
    let title = hyphens(&a.title, uni);
    let mut s = String::with_capacity(12_000);
    let _ = write!(
        s,
        "{}\nviews\n{}\nrecommends\n+1 Recommend\n{} collections\n    {}\n    shares\n",
        r.below(900),
        r.below(5),
        r.below(4),
        r.below(30)
    );
    s.push_str("      • Record: found\n      • Abstract: found\n      • Article: found\n      Is Open Access\n\n");
    let _ = write!(s, "      {title}\n\n      research-article\n\n      Read this article at\n\n      Bookmark\n");
    s.push_str("          No plain-language summary has been added for this article yet. Authors can add one to help readers outside the field.\n\n          Abstract\n\n");
    for (head, p) in &a.sections {
        let _ = write!(s, "          {head}\n\n          {}\n\n", hyphens(p, uni));
    }
    s.push_str("          Related collections\n\n");
    if !refs.is_empty() {
        let _ = write!(s, "          Most cited references{}\n\n", refs.len());
        let cards = refs.len().min(3 + r.below(4));
        for (n, w) in refs[..cards].iter().enumerate() {
            let pad = " ".repeat(10 + 2 * n.min(3));
            let _ = write!(
                s,
                "{pad}• Record: found\n{pad}• Abstract: found\n{pad}• Article: {}\n{pad}Is Open Access\n\n{pad}{}\n\n{pad}{}\n{pad}  Bookmark\n",
                r.pick(&["found", "not found"]),
                w.title,
                work_snippet(seed, w, 1 + r.below(2))
            );
        }
        s.push('\n');
    }
    s.push_str("                Author and article information\n\n                Contributors\n");
    let contributors = a.authors.len();
    let corresponding = r.below(contributors);
    for k in 0..contributors {
        let _ = write!(s, "                Role: {}", r.pick(roles()));
        if k == corresponding {
            let _ = write!(s, "{}@{}.ac.uk", slug(a.authors[k].family), slug(r.pick(cities())));
        }
        s.push('\n');
    }
    let epub_month = a.month.saturating_sub(1 + r.below(3) as u32).max(1);
    let _ = write!(
        s,
        "                Journal\n                {ab}\n                {ab}\n                {pre}/(ISSN){eissn}\n                {code}\n                {name}\n                {publ} ({city} )\n                {pissn}\n                {eissn}\n",
        ab = j.abbrev,
        pre = j.publisher.prefix(),
        eissn = j.issn_online,
        code = j.code.to_uppercase(),
        name = j.name,
        publ = j.publisher.name(),
        city = r.pick(cities()),
        pissn = j.issn_print
    );
    let _ = write!(
        s,
        "                {:02} {} {}\n                {} {}\n                : {}\n                : {} ( doiID: {}/{}.v{}.{} )\n                : ",
        1 + r.below(28),
        MONTHS_SHORT[epub_month as usize - 1],
        a.year,
        MONTHS_LONG[a.month as usize - 1],
        a.year,
        a.volume,
        a.issue,
        j.publisher.prefix(),
        j.code,
        a.volume,
        a.issue
    );
    push_pages(&mut s, a.fpage, a.lpage, "-");
    s.push_str("\n                Affiliations\n");
    for n in 1..=1 + r.below(3) {
        let _ = writeln!(
            s,
            "                [ {n} ] Department of {} University of {c} {c} UK",
            FIELDS[r.below(FIELDS.len())].0,
            c = r.pick(cities())
        );
    }
    // The corresponding author is named here; the page shows no author list, so the truth has none.
    s.push_str("                Author notes\n                [*] Correspondence ");
    a.authors[corresponding].push_display(&mut s);
    let _ = write!(
        s,
        ", PhD, University of {}.\n\n                Article\n                {}{}\n                {}\n                {}\n                {}\n                {:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}\n",
        r.pick(cities()),
        j.code.to_uppercase(),
        r.between(10_000, 99_999),
        a.doi,
        a.pmcid,
        a.pmid,
        r.next_u64() as u32,
        r.below(0x10000),
        r.below(0x1000),
        r.below(0x1000),
        r.next_u64() & 0xffff_ffff_ffff
    );
    let _ = write!(
        s,
        "                © {} The Authors. {} published by {}.\n\n                History\n                : {:02} {} {}\n                : {:02} {} {}\n                Page count\n                Figures: {}, Tables: {}, Pages: {}, Words: {}\n                Funding\n                Funded by: {}\n                Categories\n                Original Article\n\n",
        a.year,
        j.name,
        j.publisher.name(),
        1 + r.below(28),
        MONTHS_LONG[r.below(12)],
        a.year - 1,
        1 + r.below(28),
        MONTHS_LONG[r.below(12)],
        a.year - 1,
        r.below(5),
        r.below(4),
        a.lpage - a.fpage + 1,
        4_000 + r.below(5_000),
        r.pick(funders())
    );
    let subject = FIELDS[r.below(FIELDS.len())].0;
    let _ = write!(
        s,
        "                {subject}\n                {}\n                {subject}\n                {}\n\n                Comments\n\n                Comment on this article\n",
        a.keywords.join(","),
        a.keywords.join(", ")
    );
    (s, truth_for(&title, None, a.year, Some(&a.doi)))
}

// ---------------------------------------------------------------------------------------------
// Shape 4: Taylor & Francis page with the author names lost.

fn date_dmy(out: &mut String, d: usize, m: usize, y: i32) {
    let _ = write!(out, "{d:02} {} {y}", MONTHS_SHORT[m]);
}

fn taylor_francis(r: &mut Rng, seed: u64, i: usize) -> (String, Truth) {
    let a = article(r, i);
    let uni = r.percent(40);
    let title = hyphens(&a.title, uni);
    let mut s = String::with_capacity(9_000);
    if r.percent(30) {
        push_cookie_banner(r, &mut s);
    }
    let _ = write!(
        s,
        "{}\nViews\n{}\nCrossRef citations to date\n{}\nAltmetric\n{}\n\n{title}\n\n",
        r.below(5_000),
        r.below(60),
        r.below(40),
        r.pick(&["Articles", "Original Articles", "Research Article"])
    );
    // Author names were links and vanished; only the separators survive.
    s.push_str(r.pick(&["&\n", "&\n", ", &\n", ", , &\n"]));
    s.push_str("Pages ");
    push_pages(&mut s, a.fpage, a.lpage, "-");
    // Received and accepted dates are usually the year before publication: a year trap.
    s.push_str(" | Received ");
    date_dmy(&mut s, 1 + r.below(28), r.below(12), a.year - 1);
    s.push_str(", Accepted ");
    date_dmy(&mut s, 1 + r.below(28), r.below(12), a.year - r.below(2) as i32);
    s.push_str(", Published online: ");
    date_dmy(&mut s, a.day as usize, a.month as usize - 1, a.year);
    s.push('\n');
    let show_doi = r.percent(50);
    if show_doi {
        let _ = writeln!(s, "https://doi.org/{}", a.doi);
    }
    s.push_str(" \n\nAbstract\n\n");
    let body: Vec<&str> = a.sections.iter().map(|(_, p)| p.as_str()).collect();
    s.push_str(&hyphens(&body.join(" "), uni));
    s.push_str("\n\n");
    if r.percent(50) {
        let _ = write!(s, "Keywords: {}\n\n", a.keywords.join(", "));
    }
    s.push_str("Acknowledgements\n\nThe authors thank the participating organisations and everyone who shared their experiences with us.\n\nDisclosure statement\n\nNo potential conflict of interest was reported by the author(s).\n\nAdditional information\n\nFunding\n\n");
    let _ = write!(
        s,
        "This work was supported by the {} [grant number {}/{}].",
        r.pick(funders()),
        r.pick(&["ES", "MR", "NIHR", "RG", "WT"]),
        r.between(100_000, 999_999)
    );
    // People named in the funding note are not authors (seed 004).
    if r.percent(70) {
        s.push_str(" It was conducted by a research team consisting of the authors and Professor ");
        person(r).push_display(&mut s);
        let _ = write!(s, ", University of {} and ", r.pick(cities()));
        person(r).push_display(&mut s);
        let _ = write!(s, ", University of {}.", r.pick(cities()));
    }
    s.push_str("\n\n");
    let mut cited = Vec::new();
    if r.percent(50) {
        let n_refs = r.below(41);
        let refs = draw_refs(r, seed, i, a.year, n_refs);
        if !refs.is_empty() {
            s.push_str("References\n\n");
            for w in &refs {
                push_apa(&mut s, w);
                match &w.doi {
                    Some(d) => {
                        let _ = write!(s, " https://doi.org/{d}\n[Crossref], ");
                        cited.push(d.to_lowercase());
                    }
                    None => s.push('\n'),
                }
                s.push_str("[Web of Science ®], [Google Scholar]\n");
            }
            s.push('\n');
        }
    }
    s.push_str("Reprints and Corporate Permissions\n\nChoosing permissions does not give access to the full text of the article; see our help page on viewing content.\n\nTo ask for a reprint or corporate permission for this article, use the link below:\n\nAcademic Permissions\n\nIf the instant permission service does not work for you, send us the permissions form.\n");
    let mut truth = truth_for(&title, None, a.year, show_doi.then_some(a.doi.as_str()));
    truth.cited_dois = cited;
    (s, truth)
}

/// "Family, A. B., Family, C., & Family, D. (2018). Title. Journal, 21(4), 693–694."
fn push_apa(out: &mut String, w: &Work) {
    let n = w.authors.len().min(7);
    for (k, p) in w.authors[..n].iter().enumerate() {
        if k > 0 {
            out.push_str(if k + 1 == n { ", & " } else { ", " });
        }
        out.push_str(p.family);
        out.push_str(", ");
        p.push_dotted(out);
    }
    let _ = write!(
        out,
        " ({}). {}. {}, {}({}), {}–{}.",
        w.year, w.title, w.journal.name, w.volume, w.issue, w.fpage, w.lpage
    );
}

// ---------------------------------------------------------------------------------------------
// Shape 5: JATS XML article saved as text.

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn jats(r: &mut Rng, seed: u64, i: usize) -> (String, Truth) {
    let a = article(r, i);
    let n_refs = r.below(41);
    let refs = draw_refs(r, seed, i, a.year, n_refs);
    let j = a.journal;
    let mut s = String::with_capacity(14_000);
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE article PUBLIC \"-//NLM//DTD JATS (Z39.96) Journal Publishing DTD v1.2 20190208//EN\" \"JATS-journalpublishing1.dtd\">\n");
    s.push_str("<article xmlns:xlink=\"http://www.w3.org/1999/xlink\" article-type=\"research-article\" xml:lang=\"en\">\n<front>\n<journal-meta>\n");
    let _ = write!(
        s,
        "<journal-id journal-id-type=\"publisher-id\">{}</journal-id>\n<journal-title-group>\n<journal-title>{}</journal-title>\n<abbrev-journal-title abbrev-type=\"pubmed\">{}</abbrev-journal-title>\n</journal-title-group>\n<issn pub-type=\"ppub\">{}</issn>\n<issn pub-type=\"epub\">{}</issn>\n<publisher><publisher-name>{}</publisher-name></publisher>\n</journal-meta>\n<article-meta>\n",
        j.code,
        j.name,
        j.abbrev,
        j.issn_print,
        j.issn_online,
        xml_escape(j.publisher.name())
    );
    let show_doi = r.percent(92);
    let _ = writeln!(s, "<article-id pub-id-type=\"pmid\">{}</article-id>", a.pmid);
    if show_doi {
        let _ = writeln!(s, "<article-id pub-id-type=\"doi\">{}</article-id>", a.doi);
    }
    let _ = write!(
        s,
        "<article-categories><subj-group subj-group-type=\"heading\"><subject>Original Article</subject></subj-group></article-categories>\n<title-group>\n<article-title>{}</article-title>\n</title-group>\n<contrib-group>\n",
        xml_escape(&a.title)
    );
    for (k, p) in a.authors.iter().enumerate() {
        let _ = write!(
            s,
            "<contrib contrib-type=\"author\"{}><name><surname>{}</surname><given-names>{}",
            if k == 0 { " corresp=\"yes\"" } else { "" },
            p.family,
            p.given
        );
        if let Some(m) = p.middle {
            let _ = write!(s, " {}.", first_char(m));
        }
        let _ = writeln!(
            s,
            "</given-names></name><xref ref-type=\"aff\" rid=\"aff{}\">{}</xref></contrib>",
            1 + k % 2,
            1 + k % 2
        );
    }
    s.push_str("</contrib-group>\n");
    // An editor is a contributor but not an author: a trap for "first <contrib> is the author".
    if r.percent(40) {
        let ed = person(r);
        let _ = writeln!(
            s,
            "<contrib-group content-type=\"editors\"><contrib contrib-type=\"editor\"><name><surname>{}</surname><given-names>{}</given-names></name></contrib></contrib-group>",
            ed.family, ed.given
        );
    }
    let _ = write!(
        s,
        "<aff id=\"aff1\">University of {}</aff>\n<pub-date pub-type=\"epub\"><day>{}</day><month>{}</month><year>{}</year></pub-date>\n<volume>{}</volume>\n<issue>{}</issue>\n<fpage>{}</fpage>\n<lpage>{}</lpage>\n",
        r.pick(cities()),
        a.day,
        a.month,
        a.year,
        a.volume,
        a.issue,
        a.fpage,
        a.lpage
    );
    let _ = write!(s, "<permissions><copyright-year>{}</copyright-year></permissions>\n<abstract>\n", a.year);
    for (head, p) in &a.sections {
        let _ = writeln!(s, "<sec><title>{head}</title><p>{}</p></sec>", xml_escape(p));
    }
    s.push_str("</abstract>\n<kwd-group kwd-group-type=\"author\">\n");
    for k in &a.keywords {
        let _ = writeln!(s, "<kwd>{k}</kwd>");
    }
    s.push_str("</kwd-group>\n</article-meta>\n</front>\n<back>\n");
    let mut cited = Vec::new();
    if !refs.is_empty() {
        s.push_str("<ref-list>\n<title>References</title>\n");
        for (n, w) in refs.iter().enumerate() {
            let _ = write!(
                s,
                "<ref id=\"R{}\"><element-citation publication-type=\"journal\"><person-group person-group-type=\"author\">",
                n + 1
            );
            for p in w.authors.iter().take(6) {
                let _ = write!(s, "<name><surname>{}</surname><given-names>", p.family);
                p.push_initials(&mut s);
                s.push_str("</given-names></name>");
            }
            if w.authors.len() > 6 {
                s.push_str("<etal/>");
            }
            let _ = write!(
                s,
                "</person-group><article-title>{}</article-title><source>{}</source><year>{}</year><volume>{}</volume><issue>{}</issue><fpage>{}</fpage><lpage>{}</lpage>",
                xml_escape(&w.title),
                w.journal.abbrev,
                w.year,
                w.volume,
                w.issue,
                w.fpage,
                w.lpage
            );
            if let Some(d) = &w.doi {
                let _ = write!(s, "<pub-id pub-id-type=\"doi\">{d}</pub-id>");
                cited.push(d.to_lowercase());
            }
            s.push_str("</element-citation></ref>\n");
        }
        s.push_str("</ref-list>\n");
    }
    s.push_str("</back>\n</article>\n");
    let mut truth = truth_for(&a.title, Some(&a.authors[0]), a.year, show_doi.then_some(a.doi.as_str()));
    truth.cited_dois = cited;
    (s, truth)
}

// ---------------------------------------------------------------------------------------------
// Shape 6: labelled-fields page.

fn labelled(r: &mut Rng, seed: u64, i: usize) -> (String, Truth) {
    let a = article(r, i);
    let uni = r.percent(20);
    let title = hyphens(&a.title, uni);
    let j = a.journal;
    let mut s = String::with_capacity(8_000);
    if r.percent(40) {
        push_cookie_banner(r, &mut s);
    }
    let _ = write!(s, "{} Research Portal | Home | Browse | Search\n\n", r.pick(cities()));
    let _ = write!(s, "Title: {title}\nAuthors: ");
    for (k, p) in a.authors.iter().enumerate() {
        if k > 0 {
            s.push_str("; ");
        }
        s.push_str(p.family);
        s.push_str(", ");
        p.push_dotted(&mut s);
    }
    let _ = write!(
        s,
        "\nJournal: {}\n{}: {} {} {}\nVolume: {}\n",
        j.name,
        r.pick(&["Published", "Publication date", "Published"]),
        a.day,
        MONTHS_LONG[a.month as usize - 1],
        a.year,
        a.volume
    );
    if r.percent(70) {
        let _ = writeln!(s, "Issue: {}", a.issue);
    }
    s.push_str("Pages: ");
    push_pages(&mut s, a.fpage, a.lpage, "–");
    s.push('\n');
    let show_doi = r.percent(85);
    if show_doi {
        if r.percent(30) {
            let _ = writeln!(s, "DOI: https://doi.org/{}", a.doi);
        } else {
            let _ = writeln!(s, "DOI: {}", a.doi);
        }
    }
    if r.percent(60) {
        let _ = writeln!(s, "PMID: {}", a.pmid);
    }
    let _ = write!(s, "Keywords: {}\n\nAbstract: ", a.keywords.join(", "));
    let body: Vec<&str> = a.sections.iter().map(|(_, p)| p.as_str()).collect();
    s.push_str(&hyphens(&body.join(" "), uni));
    s.push_str("\n\n");
    let mut cited = Vec::new();
    if r.percent(50) {
        let n_refs = r.below(41);
        let refs = draw_refs(r, seed, i, a.year, n_refs);
        if !refs.is_empty() {
            s.push_str("References:\n");
            for (n, w) in refs.iter().enumerate() {
                let _ = write!(s, "[{}] ", n + 1);
                for (k, p) in w.authors.iter().take(3).enumerate() {
                    if k > 0 {
                        s.push_str(", ");
                    }
                    p.push_vancouver(&mut s);
                }
                if w.authors.len() > 3 {
                    s.push_str(" et al");
                }
                let _ =
                    write!(s, " ({}) {}. {} {}:{}-{}.", w.year, w.title, w.journal.abbrev, w.volume, w.fpage, w.lpage);
                if let Some(d) = &w.doi {
                    let _ = write!(s, " doi:{d}");
                    cited.push(d.to_lowercase());
                }
                s.push('\n');
            }
            s.push('\n');
        }
    }
    if r.percent(40) {
        s.push_str("Similar articles\n\n");
        let similar = 1 + r.below(4);
        for w in pick_listing(r, seed, i, similar) {
            push_listing_entry(&mut s, &w);
        }
    }
    s.push_str("© Research Portal. Terms of use | Privacy | Accessibility\n");
    let mut truth = truth_for(&title, Some(&a.authors[0]), a.year, show_doi.then_some(a.doi.as_str()));
    truth.cited_dois = cited;
    (s, truth)
}

// ---------------------------------------------------------------------------------------------
// Shape 7: a page that is not an article.

const NEWS: [&str; 12] = [
    "The event will be held at the {city} campus and streamed online.",
    "Refreshments will be provided, and the venue is step-free.",
    "The team will publish a short report on {np} later this year.",
    "Local groups working on {np} are encouraged to get in touch.",
    "Funding of £{n3},000 will support {pop} to lead {adj} projects.",
    "The centre is a partnership between the university and {n1} local charities.",
    "{Pop} in {set} are invited to a public event on {np} on {n1} {mon}.",
    "Professor {person} said the new centre would focus on {np} and {np}.",
    "The award recognises {n2} years of work on {np} with {pop}.",
    "Applications for the {adj} {noun} fund close on {n1} {mon} {y2}.",
    "Tickets are free, but places are limited to {n3} and must be booked in advance.",
    "{Pop} from {city} shared their experience of {np} with the panel.",
];

fn not_article(r: &mut Rng, i: usize) -> String {
    let cx = Cx { year: 2015 + r.below(11) as i32 };
    let mut s = String::with_capacity(4_000);
    push_cookie_banner(r, &mut s);
    let city = r.pick(cities());
    let _ = write!(
        s,
        "University of {city}\nHome | Study | Research | News | Events | About us | Contact\nSearch this site\n\n"
    );
    if r.percent(50) {
        s.push_str(r.pick(&["Page not found\n\n", "404 - Page not found\n\n", "Sorry, we can't find that page\n\n"]));
        s.push_str("The page you asked for may have moved, or the link may be out of date. Try searching the site, or start again from the home page.\n\nPopular pages\n\n");
        for _ in 0..4 + r.below(6) {
            let start = s.len();
            push_noun_phrase(r, &mut s);
            cap_from(&mut s, start);
            s.push('\n');
        }
        s.push('\n');
    } else {
        s.push_str("News\n\n");
        for _ in 0..1 + r.below(3) {
            let start = s.len();
            push_noun_phrase(r, &mut s);
            s.push_str(" project wins ");
            s.push_str(r.pick(&["national award", "funding boost", "community prize"]));
            cap_from(&mut s, start);
            let _ = write!(s, "\n\n{} {} {}\n\n", 1 + r.below(28), MONTHS_LONG[r.below(12)], cx.year);
            for _ in 0..2 + r.below(3) {
                let n = 2 + r.below(3);
                sentences(r, cx, &NEWS, n, &mut s);
                s.push_str("\n\n");
            }
            s.push_str("Share this story | Back to news\n\n");
        }
    }
    s.push_str("Upcoming events\n\n");
    for _ in 0..2 + r.below(4) {
        let _ = write!(s, "{} {} | {}:00 | ", 1 + r.below(28), MONTHS_SHORT[r.below(12)], 9 + r.below(9));
        let start = s.len();
        push_noun_phrase(r, &mut s);
        cap_from(&mut s, start);
        s.push_str(r.pick(&[" seminar\n", " open lecture\n", " workshop\n", " drop-in session\n"]));
    }
    let _ = write!(
        s,
        "\nContact us\nUniversity of {city}, {} {} Road, {city}\nTelephone +44 {} {} {}\n\n",
        1 + r.below(200),
        r.pick(families()),
        100 + r.below(900),
        100 + r.below(900),
        1000 + r.below(9000)
    );
    let _ = write!(
        s,
        "Related links\nStudent support\nResearch ethics\nLibrary\nCareers\nAlumni\nGiving\nStaff intranet\n\n© {} University of {city}. All rights reserved. Registered charity no. {}.\nPrivacy | Accessibility | Freedom of information | Modern slavery statement\n",
        cx.year,
        1_100_000 + i % 90_000
    );
    s
}

// ---------------------------------------------------------------------------------------------
// Shape 8: abstract-only page (seed 002): no title, no DOI, in-text citations without a list.

fn abstract_only(r: &mut Rng, _i: usize) -> String {
    let cx = Cx { year: 2000 + r.below(26) as i32 };
    let uni = r.percent(50);
    let sections = abstract_sections(r, cx);
    let mut s = String::with_capacity(6_000);
    s.push_str("Abstract\n\n");
    // Headings glued to their text, as the scrape of seed 002 left them.
    let mut body = String::with_capacity(2_000);
    for (head, p) in &sections {
        body.push_str(head);
        body.push_str(p);
    }
    s.push_str(&hyphens(&body, uni));
    s.push_str("\n\nHighlights\n\n");
    let mut cite = 1;
    for _ in 0..2 + r.below(3) {
        s.push_str("  • ");
        let mut b = String::new();
        let n = 1 + r.below(2);
        sentences(r, cx, &BACKGROUND, n, &mut b);
        let b = b.trim_end_matches('.');
        s.push_str(&hyphens(b, uni));
        let _ = write!(s, "[{cite}]\n\n");
        cite += 1 + r.below(3);
    }
    s.push_str("Read more\n\nSummary\n\n| INTRODUCTION\n\n");
    for _ in 0..2 + r.below(4) {
        let mut p = String::new();
        let bank = if r.percent(50) { &BACKGROUND[..] } else { &CONCLUSIONS[..] };
        let n = 2 + r.below(3);
        sentences(r, cx, bank, n, &mut p);
        s.push_str(&hyphens(&p, uni));
        let _ = write!(s, "[{cite}");
        if r.percent(40) {
            let _ = write!(s, ",{}", cite + 1);
            cite += 1;
        }
        s.push_str("]\n\n");
        cite += 1;
    }
    if r.percent(50) {
        s.push_str("| METHODS\n\n");
        let mut p = String::new();
        sentences(r, cx, &METHODS, 3, &mut p);
        s.push_str(&hyphens(&p, uni));
        s.push_str("\n\n");
    }
    s
}
