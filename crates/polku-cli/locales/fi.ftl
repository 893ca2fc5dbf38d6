# polkun analyysikomentojen sanat suomeksi: taulukot ja huomautukset virhevirrassa.
# CSV ja JSON eivät käytä näitä.

## Yhteiset

unit-day = pv
unit-customers = asiakkaat
unit-sessions = istunnot
kind-stage = vaihe
kind-touchpoint = kosketuspiste
kind-channel = kanava
note-no-events = huom: työtilassa ei ole vielä tapahtumia (tuo niitä komennolla `polku import`)
note-step-missing = huom: askel `{ $step }` ei ole datan tapahtuman nimi eikä `match`-säännöin sidotun kartan kosketuspisteen tai vaiheen tunnus, joten sen määrä on 0
note-step-missing-period = huom: askel `{ $step }` ei ole jakson datan tapahtuman nimi eikä `match`-säännöin sidotun kartan kosketuspisteen tai vaiheen tunnus, joten sen määrä on 0
note-map-unbound = huom: kartalla `{ $map }` ei ole match-sääntöjä, joten mikään tapahtuma ei kuulu sen kosketuspisteisiin tai vaiheisiin (lisää kosketuspisteille `match:`-säännöt; ks. docs/workspace-format.md)
note-unmatched = huom: { $unmatched } tapahtumaa { $events }:stä ei osu mihinkään kartan `{ $map }` kosketuspisteeseen: { $listed }

## funnel

funnel-step = askel
funnel-of-first = ensimmäisestä
funnel-of-previous = edellisestä
funnel-median-time = mediaaniaika
funnel-order = askeleet { $order }, { $window }
funnel-order-ordered = järjestyksessä
funnel-order-strict = tiukasti peräkkäin
funnel-order-any = missä järjestyksessä tahansa
funnel-no-window = ei aikaikkunaa
funnel-window = aikaikkuna { $window }

## breakpoints

bp-where = kohta
bp-persona = persona
bp-owner = omistaja
bp-reached = saavutti
bp-drop-off = putoaa
bp-before = ennen
bp-others = muut
bp-baseline = vertailu
bp-time = aika vaiheessa
bp-stalled = { $now }, hidas (odotettu { $expected })
bp-lost = menetetty
bp-value-lost = menetetty arvo
bp-value-lost-in = menetetty arvo ({ $currency })
bp-customers-lost = menetetyt asiakkaat
bp-na = –
bp-all = kaikki
bp-flag-previous = edellinen
bp-flag-personas = personat
bp-flag-both = molemmat
bp-heading = { $map }: { $from } – { $to } verrattuna jaksoon { $base-from } – { $base-to }
bp-heading-personas = { $map }: { $from } – { $to } verrattuna jaksoon { $base-from } – { $base-to } ja muihin personiin
bp-legend = ennen: samojen asiakkaiden putoaminen vertailujaksolla; muut: kaikkien muiden putoaminen samalla jaksolla; vertailu: mitkä niistä putoaminen ylittää enemmän kuin sattuman verran; aika vaiheessa: eteenpäin jatkaneiden asiakkaiden mediaaniaika, merkitty hitaaksi kun vaihe viipyy vertailuun nähden
bp-value-formula = menetetty arvo = menetetyt × konversio eteenpäin × keskiarvo (kaikkiaan { $value })
bp-value-formula-persona = menetetty arvo = menetetyt × konversio eteenpäin × keskiarvo (personoittain; kaikkiaan { $value })
bp-currencies = konversioiden arvot ovat eri valuutoissa ({ $currencies }), eikä niitä lasketa yhteen: menetetty arvo lasketaan konvertoituneina asiakkaina
bp-no-values = datassa ei ole arvoja: menetetty arvo lasketaan konvertoituneina asiakkaina

## abtest

ab-variant = variantti
ab-customers = asiakkaat
ab-converted = konvertoituneet
ab-rate = osuus
ab-interval = 95 %:n luottamusväli
ab-test-z-test = z-testi
ab-test-chi-square = khiin neliö -testi
ab-statistic = { $test }: testisuure { $statistic }, p = { $p }
ab-crossed-over = { $count ->
    [one] { $n } asiakas näki useamman kuin yhden variantin (laskettu ensimmäiseen)
   *[other] { $n } asiakasta näki useamman kuin yhden variantin (laskettu ensimmäiseen)
}
ab-too-small = Otos on liian pieni varianttien erottamiseen: jokainen variantti tarvitsee vähintään { $min } asiakasta sekä 5 odotettua konversiota ja ei-konversiota.
ab-differ = Variantit eroavat (p = { $p }, kaksisuuntainen): { $best } konvertoi parhaiten.
ab-no-difference = Varianttien välillä ei ole merkitsevää eroa (p = { $p }, kaksisuuntainen).
ab-no-test = Ei testiä: varianteilla ei ole asiakkaita tai vaihtelua.

## kpis

kpi-traffic = liikennemittarit
kpi-user = käyttäjämittarit
kpi-sales = myyntimittarit
kpi-page-views = sivunkatselut
kpi-visits = käynnit
kpi-visitors = kävijät
kpi-new = uudet
kpi-returning = palaavat
kpi-visit-frequency = käyntiä/kävijä
kpi-ctr = CTR
kpi-avg-visit = käynti keskim.
kpi-subscriptions = tilaukset
kpi-comments = kommentit
kpi-leads = liidit
kpi-converted = konvertoituneet
kpi-lead-quality = liidien laatu
kpi-conversions = konversiot
kpi-value = arvo
kpi-spend = kulut
kpi-cost-per-lead = kulu/liidi
kpi-roas = ROAS

## attribution

at-summary = { $journeys } polkua, { $conversions } konversiota ({ $conversion }), arvo { $value }; kosketukset: { $touches }
at-touches-channel = käynnit kanavaryhmittäin
at-touches-touchpoint = kosketuspisteet
at-lookback = , enintään { $lookback } ennen konversiota
at-persona = ; vain persona { $persona }
at-conversions = KONVERSIOT
at-value = ARVO
at-total = yhteensä
at-empty = { $rows } riviä ilman kanavaa jätettiin pois ({ $conversions } konversiota, arvo { $value })
at-costs = KULUT
at-spend = kulut
at-leads = liidit
at-per-lead = per liidi
at-cpa = CPA { $model }
at-roas = ROAS
at-spend-persona = (kulut ovat kunkin kanavan koko mainoskulut, ja niitä verrataan persoonan { $persona } polkujen hyvitykseen: kulutaulukossa ei ole asiakkaita)
at-self-reported = OMA ILMOITUS
at-answers = vastaukset
at-share = osuus
at-agreement = yhtäpitävyys
at-agreement-legend = (yhtäpitävyys: se osuus hyvityksestä, joka osuu vastaajien kertomiin kanaviin; kanavittain pienemmän osuuden summa)

## paths

paths-path = polku
paths-journeys = polkuja
paths-share = osuus
paths-other = muut
paths-total = { $n ->
    [one] { $n } polku
   *[other] { $n } polkua
}
paths-what-event = tapahtuman nimeä
paths-what-channel = kanavaryhmää
paths-what-touchpoint = kartan `{ $map }` kosketuspistettä
paths-what-stage = kartan `{ $map }` vaihetta
paths-what-node = solmua
note-paths-no-start = huom: lasketuissa tapahtumissa ei ole { $what } `{ $name }`, joten mikään polku ei ala siitä (--node event|channel|touchpoint|stage kertoo, mitä solmut ovat)
note-paths-no-end = huom: lasketuissa tapahtumissa ei ole { $what } `{ $name }`, joten mikään polku ei pääty siihen (--node event|channel|touchpoint|stage kertoo, mitä solmut ovat)

## stages

stages-heading = { $map }: { $customers } asiakasta
stages-stage = vaihe
stages-reached = saavutti
stages-to-next = seuraavaan vaiheeseen
stages-drop-off = putoaa
stages-median-time = mediaaniaika vaiheessa
stages-moves = siirtymät vaiheiden välillä (rivi: mistä, sarake: mihin)
stages-backward = { $n ->
    [one] { $n } siirtymä taaksepäin
   *[other] { $n } siirtymää taaksepäin
}
stages-unmatched = { $unmatched } tapahtumaa { $events }:stä ei osu mihinkään kosketuspisteeseen: { $listed }
note-stages-unmatched = huom: { $unmatched } tapahtumaa { $events }:stä ei osu mihinkään kartan kosketuspisteeseen

## retention and repeat

retention-cohort = kohortti
repeat-customers = palaavat asiakkaat
repeat-rate = palaavien osuus

## personas

personas-none = ei personaa
personas-rules = säännöt
personas-wrote = kirjoitettiin { $file }
suggest-heading = { $customers } asiakasta { $k } segmentissä (siemen { $seed }
suggest-silhouette = , siluetti { $silhouette }
suggest-segment = segmentti
suggest-segment-n = segmentti { $segment }
suggest-label = nimi
suggest-trait = { $feature } = { $value }: { $share } segmentistä, { $all } kaikista
suggest-no-traits = mikään arvo ei erota sitä muista; se eroaa luvuiltaan

## interviews

interviews-heading = { $map }: { $interviews } haastattelua
interviews-heading-persona = { $map }: { $interviews } haastattelua, persona { $persona }
interviews-interviews = haastatteluja
interviews-emotion = tunne
interviews-spread = hajonta
interviews-touchpoints = mainitut kosketuspisteet
interviews-successes = onnistui
interviews-joys = ilahdutti
interviews-failures = epäonnistui
interviews-elsewhere = { $n ->
    [one] { $n } haastattelun askel nimeää vaiheen, jota kartalla ei ole
   *[other] { $n } haastattelun askelta nimeää vaiheen, jota kartalla ei ole
}

## segments and stats

note-persona-no-rules = huom: personalla `{ $persona }` ei ole sääntöjä, joten kaikki sen kartan asiakkaat luetellaan
stats-events = tapahtumat
stats-from = ensimmäinen
stats-to = viimeinen
stats-by-source = lähteittäin
stats-by-channel = kanavaryhmittäin
stats-cost-rows = kulurivit
stats-survey = kysely
stats-answers = { $n ->
    [one] { $n } vastaus
   *[other] { $n } vastausta
}
stats-interviews = haastattelut
stats-imports = tuonnit

## distributions

dist-heading = { $converted } asiakasta konvertoi ({ $conversion })
dist-time = aika konversioon
dist-touchpoints = kosketuspisteitä ennen konversiota
dist-month = kuukausi tai enemmän
dist-three = 3 tai useampi kosketuspiste
dist-six = 6 tai useampi kosketuspiste
dist-here = tässä
dist-seeds = vertailututkimuksissa

## collected events

note-collected-refused = { $n ->
    [one] huom: { $n } kerätty viesti hylättiin; se on tiedostossa .polku/spool/rejected-*.ndjson
   *[other] huom: { $n } kerättyä viestiä hylättiin; ne ovat tiedostoissa .polku/spool/rejected-*.ndjson
}
