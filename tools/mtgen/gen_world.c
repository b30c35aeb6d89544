/* gen_world.c: the fixed tables of mtgen's world: the bank's home country
 * (Germany, cities and federal states), foreign countries, person personas
 * and business types with their MCC, opening hours, income and cash habits,
 * names, streets and memo texts.
 *
 * Everything is ASCII and free of commas except the two memos that exist to
 * exercise RFC 4180 quoting in the readers. Changing a table changes the
 * output of every seed: bump GEN_VERSION when you do. */
#include "gen.h"

#include <string.h>

const char *const gen_channel_names[CH_N] = {
    "cash_deposit",       "cash_withdrawal", "atm_deposit", "atm_withdrawal", "wire_domestic",
    "wire_international", "transfer",        "ach_payroll", "card",           "remittance",
    "prepaid_load",       "crypto",          "cheque",      "other",
};

/* weight = share of residents, per mille (sums to 1000) */
const GenCity gen_cities[] = {
    {"Berlin", "Berlin", 160},
    {"Hamburg", "Hamburg", 80},
    {"Munich", "Bavaria", 75},
    {"Cologne", "North Rhine-Westphalia", 50},
    {"Frankfurt", "Hesse", 40},
    {"Stuttgart", "Baden-Wuerttemberg", 35},
    {"Dusseldorf", "North Rhine-Westphalia", 35},
    {"Leipzig", "Saxony", 33},
    {"Dortmund", "North Rhine-Westphalia", 33},
    {"Essen", "North Rhine-Westphalia", 32},
    {"Bremen", "Bremen", 32},
    {"Dresden", "Saxony", 32},
    {"Hanover", "Lower Saxony", 30},
    {"Nuremberg", "Bavaria", 30},
    {"Duisburg", "North Rhine-Westphalia", 28},
    {"Bochum", "North Rhine-Westphalia", 20},
    {"Wuppertal", "North Rhine-Westphalia", 20},
    {"Bielefeld", "North Rhine-Westphalia", 19},
    {"Bonn", "North Rhine-Westphalia", 19},
    {"Muenster", "North Rhine-Westphalia", 18},
    {"Mannheim", "Baden-Wuerttemberg", 18},
    {"Karlsruhe", "Baden-Wuerttemberg", 18},
    {"Augsburg", "Bavaria", 17},
    {"Wiesbaden", "Hesse", 16},
    {"Kiel", "Schleswig-Holstein", 15},
    {"Magdeburg", "Saxony-Anhalt", 14},
    {"Freiburg", "Baden-Wuerttemberg", 14},
    {"Rostock", "Mecklenburg-Vorpommern", 12},
    {"Erfurt", "Thuringia", 12},
    {"Mainz", "Rhineland-Palatinate", 12},
    {"Saarbruecken", "Saarland", 10},
    {"Potsdam", "Brandenburg", 10},
};
const guint gen_n_cities = G_N_ELEMENTS(gen_cities);

/* The first entry is the home country. */
const GenCountry gen_countries[] = {
    {"DE", "Berlin"},        {"PL", "Warsaw"},   {"RO", "Bucharest"}, {"TR", "Ankara"},
    {"UA", "Kyiv"},          {"PH", "Manila"},   {"VN", "Hanoi"},     {"NG", "Lagos"},
    {"IN", "Mumbai"},        {"SY", "Damascus"}, {"MA", "Rabat"},     {"BG", "Sofia"},
    {"RS", "Belgrade"},      {"AL", "Tirana"},   {"GH", "Accra"},     {"CO", "Bogota"},
    {"DO", "Santo Domingo"}, {"TH", "Bangkok"},  {"JM", "Kingston"},  {"RU", "Moscow"},
    {"BR", "Sao Paulo"},     {"CN", "Beijing"},  {"MD", "Chisinau"},  {"HU", "Budapest"},
    {"US", "New York"},      {"CY", "Limassol"}, {"NL", "Amsterdam"}, {"IE", "Dublin"},
    {"MT", "Valletta"},      {"AT", "Vienna"},   {"FR", "Paris"},     {"IT", "Rome"},
    {"ES", "Madrid"},        {"GR", "Athens"},   {"HR", "Zagreb"},    {"ER", "Asmara"},
};
const guint gen_n_countries = G_N_ELEMENTS(gen_countries);

int gen_country_index(const char *code)
{
    for (guint i = 0; i < gen_n_countries; i++)
        if (strcmp(gen_countries[i].code, code) == 0)
            return (int)i;
    return -1;
}

/* Weights: persons per mille of persons, businesses per 10,000 of businesses. */
const GenType gen_types[T_N] = {
    [P_STUDENT] = {"student", 0, NULL, 120, 650, 0.30, 0, 0, NULL, NULL},
    [P_EMPLOYEE] = {"employee", 0, NULL, 550, 2700, 0.40, 0, 0, NULL, NULL},
    [P_RETIREE] = {"retired", 0, NULL, 180, 1450, 0.30, 0, 0, NULL, NULL},
    [P_MIGRANT] = {"employee", 0, NULL, 90, 1900, 0.25, 0, 0, NULL, NULL},
    [P_TRAVELLER] = {"sales representative", 0, NULL, 40, 3900, 0.30, 0, 0, NULL, NULL},
    [P_MINOR] = {"pupil", 0, NULL, 20, 0, 0, 0, 0, NULL, NULL},
    [B_RESTAURANT] = {"restaurant", 5812, "11:00-23:00", 1000, 45000, 0.5, 6, 0.35, "Trattoria %s",
                      NULL},
    [B_FASTFOOD] = {"fast food", 5814, "10:00-22:00", 600, 28000, 0.5, 4, 0.45, "%s Grill", NULL},
    [B_BAR] = {"bar", 5813, "18:00-02:00", 400, 30000, 0.5, 4, 0.55, "Bar %s", NULL},
    [B_HAIR] = {"hair salon", 7230, "09:00-19:00", 700, 14000, 0.4, 3, 0.30, "Salon %s", NULL},
    [B_NAILS] = {"nail salon", 7230, "10:00-20:00", 400, 9000, 0.4, 2, 0.40, "%s Nails", NULL},
    [B_MASSAGE] = {"massage parlour", 7297, "10:00-22:00", 300, 9000, 0.4, 2, 0.45, "%s Massage",
                   NULL},
    [B_SPA] = {"spa", 7298, "09:00-21:00", 200, 22000, 0.5, 5, 0.15, "%s Wellness", NULL},
    [B_CONSTRUCTION] = {"construction firm", 1520, "07:00-17:00", 700, 120000, 0.8, 12, 0,
                        "%s Bau GmbH", NULL},
    [B_CLEANING] = {"cleaning firm", 7349, "06:00-20:00", 500, 45000, 0.7, 10, 0,
                    "%s Cleaning Services", NULL},
    [B_HOTEL] = {"hotel", 7011, "00:00-24:00", 300, 90000, 0.8, 15, 0.05, "Hotel %s", NULL},
    [B_GROCERY] = {"grocery shop", 5411, "08:00-20:00", 900, 60000, 0.6, 6, 0.30, "%s Markt", NULL},
    [B_APPAREL] = {"clothing shop", 5651, "10:00-20:00", 500, 35000, 0.5, 4, 0.15, "%s Fashion",
                   NULL},
    [B_DRUGSTORE] = {"drug store", 5912, "08:00-20:00", 300, 50000, 0.4, 6, 0.20, "%s Drogerie",
                     NULL},
    [B_FUEL] = {"fuel station", 5541, "06:00-22:00", 300, 80000, 0.4, 5, 0.20, "%s Tankstelle",
                NULL},
    [B_AGENCY] = {"employment agency", 7361, "09:00-17:00", 200, 60000, 0.6, 8, 0, "%s Personal",
                  NULL},
    [B_REALESTATE] = {"real estate agency", 6513, "09:00-18:00", 400, 70000, 0.7, 4, 0,
                      "%s Immobilien", NULL},
    [B_UTILITY] = {"utility", 4900, "08:00-18:00", 20, 900000, 0.5, 200, 0, "Stadtwerke %s", NULL},
    [B_TELECOM] = {"telecom", 4814, "08:00-20:00", 10, 900000, 0.5, 300, 0, "%s Mobile", NULL},
    [B_ONLINE] = {"online services", 4816, "00:00-24:00", 10, 500000, 0.5, 50, 0, "%s Stream",
                  "IE"},
    [B_ADVERT] = {"classified advertising", 7311, "00:00-24:00", 15, 120000, 0.6, 20, 0,
                  "%s Kleinanzeigen", NULL},
    [B_DIRECTMKT] = {"online direct marketing", 5967, "00:00-24:00", 6, 80000, 0.6, 10, 0,
                     "%s Media Ltd", "CY"},
    [B_DATING] = {"dating service", 7273, "00:00-24:00", 6, 60000, 0.6, 10, 0, "%s Dating BV",
                  "NL"},
    [B_TAXI] = {"taxi company", 4121, "00:00-24:00", 300, 15000, 0.5, 3, 0.40, "Taxi %s", NULL},
    [B_AIRLINE] = {"airline", 4511, "00:00-24:00", 3, 5000000, 0.5, 900, 0, "%s Air", NULL},
    [B_RAIL] = {"railway", 4112, "00:00-24:00", 3, 5000000, 0.5, 900, 0, "%s Bahn", NULL},
    [B_WHOLESALE] = {"wholesaler", 5141, "06:00-18:00", 400, 150000, 0.7, 15, 0, "%s Grosshandel",
                     NULL},
    [B_OFFICE] = {"office services", 8999, "08:00-18:00", 800, 200000, 1.0, 40, 0,
                  "%s Consulting AG", NULL},
    [B_HOSPITAL] = {"hospital", 8062, "00:00-24:00", 40, 2000000, 0.6, 400, 0, "Klinikum %s", NULL},
    [B_DOCTOR] = {"medical practice", 8011, "08:00-18:00", 300, 30000, 0.4, 4, 0.02,
                  "Praxis Dr. %s", NULL},
    [B_PENSION] = {"pension fund", 6300, "08:00-16:00", 2, 50000000, 0.3, 500, 0, "%s Rentenkasse",
                   NULL},
    [B_CARDEALER] = {"car dealer", 5511, "09:00-19:00", 100, 200000, 0.7, 8, 0.05, "Autohaus %s",
                     NULL},
    [B_JEWELLER] = {"jeweller", 5944, "10:00-19:00", 100, 40000, 0.7, 3, 0.20, "Juwelier %s", NULL},
    [B_CRYPTO] = {"crypto exchange", 6051, "00:00-24:00", 3, 900000, 0.5, 30, 0, "%s Coin Ltd",
                  "MT"},
};

static const char *const occ_food[] = {"cook", "waiter", "kitchen assistant", "manager"};
static const char *const occ_beauty[] = {"hairdresser", "beautician", "nail technician",
                                         "receptionist"};
static const char *const occ_massage[] = {"masseuse", "therapist", "receptionist"};
static const char *const occ_build[] = {"construction worker", "bricklayer", "electrician",
                                        "site foreman", "labourer"};
static const char *const occ_clean[] = {"cleaner", "cleaner", "housekeeper", "supervisor"};
static const char *const occ_hotel[] = {"receptionist", "housekeeper", "cook", "porter"};
static const char *const occ_shop[] = {"shop assistant", "cashier", "store manager",
                                       "warehouse clerk"};
static const char *const occ_office[] = {"office clerk",       "engineer",        "accountant",
                                         "software developer", "project manager", "analyst"};
static const char *const occ_health[] = {"nurse", "doctor", "care worker", "medical assistant"};
static const char *const occ_misc[] = {"clerk", "driver", "technician", "assistant"};

const char *gen_occupation_for(int t, guint32 pick)
{
#define OCC(a) return a[pick % G_N_ELEMENTS(a)]
    switch (t) {
    case B_RESTAURANT:
    case B_FASTFOOD:
    case B_BAR:
        OCC(occ_food);
    case B_HAIR:
    case B_NAILS:
    case B_SPA:
        OCC(occ_beauty);
    case B_MASSAGE:
        OCC(occ_massage);
    case B_CONSTRUCTION:
        OCC(occ_build);
    case B_CLEANING:
    case B_AGENCY:
        OCC(occ_clean);
    case B_HOTEL:
        OCC(occ_hotel);
    case B_GROCERY:
    case B_APPAREL:
    case B_DRUGSTORE:
    case B_FUEL:
    case B_WHOLESALE:
    case B_JEWELLER:
    case B_CARDEALER:
        OCC(occ_shop);
    case B_OFFICE:
    case B_REALESTATE:
    case B_UTILITY:
    case B_TELECOM:
    case B_PENSION:
    case B_AIRLINE:
    case B_RAIL:
    case B_ADVERT:
        OCC(occ_office);
    case B_HOSPITAL:
    case B_DOCTOR:
        OCC(occ_health);
    default:
        OCC(occ_misc);
    }
#undef OCC
}

const char *const gen_first_names[] = {
    "Anna",      "Lena",      "Marie",   "Sophie",    "Laura",   "Julia",   "Sarah",   "Lisa",
    "Katharina", "Elena",     "Maria",   "Olga",      "Irina",   "Natalia", "Ana",     "Ioana",
    "Elif",      "Ayse",      "Fatma",   "Zeynep",    "Maricel", "Joy",     "Linh",    "Mai",
    "Chioma",    "Ngozi",     "Priya",   "Aisha",     "Petra",   "Monika",  "Ursula",  "Helga",
    "Emma",      "Mia",       "Hannah",  "Lea",       "Nina",    "Sandra",  "Claudia", "Sabine",
    "Lukas",     "Jonas",     "Leon",    "Felix",     "Paul",    "Max",     "Thomas",  "Michael",
    "Andreas",   "Stefan",    "Markus",  "Christian", "Daniel",  "Jan",     "Tobias",  "Florian",
    "Alexander", "Sebastian", "Piotr",   "Tomasz",    "Andrei",  "Mihai",   "Ivan",    "Oleksandr",
    "Mehmet",    "Ahmet",     "Mustafa", "Emre",      "Jose",    "Juan",    "Minh",    "Tuan",
    "Chinedu",   "Emeka",     "Rahul",   "Omar",      "Ali",     "Karim",   "Hans",    "Juergen",
    "Klaus",     "Wolfgang",  "Dieter",  "Uwe",       "Bernd",   "Georg",
};
const guint gen_n_first_names = G_N_ELEMENTS(gen_first_names);

const char *const gen_last_names[] = {
    "Mueller",    "Schmidt",   "Schneider", "Fischer",    "Weber",      "Meyer",      "Wagner",
    "Becker",     "Schulz",    "Hoffmann",  "Koch",       "Richter",    "Klein",      "Wolf",
    "Schroeder",  "Neumann",   "Schwarz",   "Braun",      "Zimmermann", "Hofmann",    "Hartmann",
    "Krueger",    "Lange",     "Werner",    "Krause",     "Lehmann",    "Koehler",    "Maier",
    "Walter",     "Koenig",    "Kaiser",    "Fuchs",      "Peters",     "Jung",       "Scholz",
    "Vogel",      "Friedrich", "Keller",    "Guenther",   "Frank",      "Berger",     "Winkler",
    "Roth",       "Beck",      "Lorenz",    "Baumann",    "Franke",     "Albrecht",   "Ludwig",
    "Sommer",     "Kowalski",  "Nowak",     "Wisniewski", "Popescu",    "Ionescu",    "Popa",
    "Yilmaz",     "Kaya",      "Demir",     "Sahin",      "Celik",      "Shevchenko", "Kovalenko",
    "Bondarenko", "Santos",    "Reyes",     "Cruz",       "Garcia",     "Nguyen",     "Tran",
    "Pham",       "Okafor",    "Adeyemi",   "Okonkwo",    "Sharma",     "Patel",      "Haddad",
    "Khalil",     "Petrov",    "Ivanova",   "Hoxha",      "Dimitrov",   "Horvat",     "Rossi",
};
const guint gen_n_last_names = G_N_ELEMENTS(gen_last_names);

const char *const gen_streets[] = {
    "Hauptstrasse",    "Schulstrasse",      "Gartenstrasse",     "Bahnhofstrasse",
    "Dorfstrasse",     "Bergstrasse",       "Birkenweg",         "Lindenstrasse",
    "Kirchstrasse",    "Waldstrasse",       "Ringstrasse",       "Schillerstrasse",
    "Goethestrasse",   "Wiesenweg",         "Am Markt",          "Rosenweg",
    "Jahnstrasse",     "Friedhofstrasse",   "Muehlenweg",        "Poststrasse",
    "Feldstrasse",     "Industriestrasse",  "Blumenstrasse",     "Beethovenstrasse",
    "Parkstrasse",     "Kastanienallee",    "Eichenweg",         "Luisenstrasse",
    "Kantstrasse",     "Uhlandstrasse",     "Mozartstrasse",     "Heinestrasse",
    "Bismarckstrasse", "Friedrichstrasse",  "Karl-Marx-Strasse", "Sonnenallee",
    "Hermannstrasse",  "Leipziger Strasse", "Koenigsallee",      "Marktplatz",
};
const guint gen_n_streets = G_N_ELEMENTS(gen_streets);

const char *const gen_memos[MEMO_T_N] = {
    [MEMO_T_NONE] = "",
    [MEMO_T_THANKS] = "thanks",
    [MEMO_T_DINNER] = "dinner",
    [MEMO_T_BIRTHDAY] = "birthday present",
    [MEMO_T_RENT_SHARE] = "rent share",
    [MEMO_T_HOUSEHOLD] = "household",
    [MEMO_T_ALLOWANCE] = "allowance",
    [MEMO_T_FAMILY] = "family support",
    [MEMO_T_SCHOOL] = "school fees",
    [MEMO_T_GIFT] = "gift",
    [MEMO_T_LOAN] = "loan repayment",
    [MEMO_T_INVOICE] = "invoice",
    [MEMO_T_SUPPLIES] = "supplies",
    [MEMO_T_UTILITIES] = "electricity and gas",
    [MEMO_T_DEPOSIT] = "deposit",
    [MEMO_T_TAKINGS] = "daily takings",
    [MEMO_T_QUOTED] = "the \"usual\" split",
    [MEMO_T_COMMA] = "tickets, drinks",
    [MEMO_T_SERVICES] = "services",
    [MEMO_T_CONSULTING] = "consulting fee",
    [MEMO_T_TRANSPORT] = "transport",
    [MEMO_T_PENSION] = "PENSION",
    [MEMO_T_PETTY] = "petty cash",
    [MEMO_T_TICKETS] = "tickets",
};
const guint gen_n_memos = MEMO_T_N;
