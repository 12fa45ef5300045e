/* cl-demo.c: a realistic synthetic caseload, for trying Caseload and for benchmarks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything here is invented: names are drawn from common given names and surnames of the
 * communities precinct advocates serve (Spanish, Chinese, Bengali, Russian, Arabic, Haitian,
 * Korean, Polish, Urdu, West African, Yiddish and English speakers), phone numbers use the
 * fictional 555 exchange, addresses and complaint numbers are random, partner organizations
 * are made up. Never put real data in a demo vault.
 *
 * The generator is deterministic for a seed: the same seed and number of cases give the
 * same clients, names and counts. Dates are relative to the day it runs, so a demo vault
 * always looks current. Cases are written CL_DEMO_CHUNK at a time, one transaction per
 * chunk, through the ordinary store API (so outbox, history, derived columns and search
 * are exactly what real use produces).
 */

#define G_LOG_DOMAIN "cl-demo"

#include <math.h>
#include <string.h>


#include "cl-demo.h"
#include "cl-refdata.h"
#include "cl-store-private.h"

/* Names ------------------------------------------------------------------------------ */

/* "Latin|native script": the part after '|' is how the client may write the name. */

static const char * const es_female[] = {
  "María", "Guadalupe", "Rosa", "Ana", "Carmen", "Yesenia", "Daniela", "Lucía", "Sofía",
  "Marisol", "Inés", "Josefina", "Yamilet", "Altagracia", "Maribel", "Leticia", "Xiomara",
  "Ángela", "Dulce", "Belén",
};
static const char * const es_male[] = {
  "José", "Luis", "Juan", "Carlos", "Miguel", "Jesús", "Andrés", "Ramón", "Héctor", "Óscar",
  "Joel", "Rafael", "Wilfredo", "Julio", "Efraín", "Noé",
};
static const char * const es_surnames[] = {
  "García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez", "Sánchez",
  "Ramírez", "Torres", "Peña", "Núñez", "Jiménez", "Rivera", "Cruz", "Morales", "Ortiz",
  "Vásquez", "Castillo", "Batista", "De la Cruz", "Almánzar", "Guzmán", "Ureña", "Polanco",
};

static const char * const zh_female[] = {
  "Xiuying|秀英", "Mei|梅", "Lina|丽娜", "Jing|静", "Hui|慧", "Yan|燕", "Xiaoling|晓玲",
  "Fang|芳", "Chun|春", "Li|丽", "Yuqing|雨晴", "Shu Fen|淑芬",
};
static const char * const zh_male[] = {
  "Wei|伟", "Jun|军", "Hao|浩", "Ming|明", "Zhiwei|志伟", "Jian|建", "Qiang|强", "Lei|磊",
  "Kwok Wing|国荣",
};
static const char * const zh_surnames[] = {
  "Wang|王", "Li|李", "Zhang|张", "Liu|刘", "Chen|陈", "Yang|杨", "Huang|黄", "Zhao|赵",
  "Wu|吴", "Zhou|周", "Lin|林", "Zheng|郑", "Chan|陈", "Wong|黄", "Leung|梁", "Cheung|张",
  "Lam|林",
};

static const char * const bn_female[] = {
  "Fatema", "Nusrat", "Taslima", "Sharmin", "Ayesha", "Rupa", "Shirin", "Farzana", "Nasima",
  "Sumaiya",
};
static const char * const bn_male[] = {
  "Mohammed", "Rahim", "Anwar", "Shafiq", "Tanvir", "Jamal", "Habib", "Rafiq",
};
static const char * const bn_surnames[] = {
  "Rahman", "Hossain", "Islam", "Ahmed", "Chowdhury", "Uddin", "Begum", "Akter", "Miah",
  "Khan", "Sarkar", "Das",
};

static const char * const ru_female[] = {
  "Olga|Ольга", "Natalia|Наталья", "Svetlana|Светлана", "Irina|Ирина", "Yelena|Елена",
  "Tatiana|Татьяна", "Anastasia|Анастасия", "Oksana|Оксана", "Lyudmila|Людмила",
};
static const char * const ru_male[] = {
  "Sergei|Сергей", "Dmitri|Дмитрий", "Alexei|Алексей", "Igor|Игорь", "Vladimir|Владимир",
  "Mikhail|Михаил", "Yuri|Юрий",
};
static const char * const ru_surnames_f[] = {
  "Ivanova|Иванова", "Smirnova|Смирнова", "Kuznetsova|Кузнецова", "Popova|Попова",
  "Volkova|Волкова", "Sokolova|Соколова", "Petrova|Петрова", "Kovalenko|Коваленко",
  "Shevchenko|Шевченко",
};
static const char * const ru_surnames_m[] = {
  "Ivanov|Иванов", "Smirnov|Смирнов", "Kuznetsov|Кузнецов", "Popov|Попов", "Volkov|Волков",
  "Sokolov|Соколов", "Petrov|Петров", "Kovalenko|Коваленко", "Shevchenko|Шевченко",
};

static const char * const ar_female[] = {
  "Fatima|فاطمة", "Amira|أميرة", "Yasmin|ياسمين", "Layla|ليلى", "Noor|نور", "Mariam|مريم",
  "Huda|هدى", "Rania|رانيا",
};
static const char * const ar_male[] = {
  "Ahmed|أحمد", "Omar|عمر", "Youssef|يوسف", "Khaled|خالد", "Mahmoud|محمود", "Ali|علي",
  "Tarek|طارق",
};
static const char * const ar_surnames[] = {
  "Haddad|حداد", "Mansour|منصور", "Saleh|صالح", "Nasser|ناصر", "Hassan|حسن",
  "Abdallah|عبدالله", "El-Sayed|السيد", "Khalil|خليل", "Ibrahim|إبراهيم",
};

static const char * const ht_female[] = {
  "Marie", "Rose-Merline", "Fabienne", "Nadège", "Widline", "Mirlande", "Guerline",
  "Roseline", "Myrtha", "Farah",
};
static const char * const ht_male[] = {
  "Jean-Baptiste", "Wilner", "Jean-Claude", "Frantz", "Dieudonné", "Ricardo", "Stanley",
  "Fritzner",
};
static const char * const ht_surnames[] = {
  "Pierre", "Jean-Louis", "Joseph", "Charles", "Désir", "Saint-Fleur", "Louissaint",
  "Toussaint", "Étienne", "Augustin", "Célestin", "Jean-Pierre",
};

static const char * const ko_female[] = {
  "Ji-yeon|지연", "Min-ji|민지", "Seo-yeon|서연", "Eun-ji|은지", "Hye-jin|혜진",
  "Soo-jin|수진", "Young-hee|영희",
};
static const char * const ko_male[] = {
  "Min-jun|민준", "Ji-hoon|지훈", "Sung-min|성민", "Dong-hyun|동현", "Jae-won|재원",
};
static const char * const ko_surnames[] = {
  "Kim|김", "Lee|이", "Park|박", "Choi|최", "Jung|정", "Kang|강", "Cho|조", "Yoon|윤",
  "Jang|장", "Lim|임",
};

static const char * const pl_female[] = {
  "Agnieszka", "Katarzyna", "Małgorzata", "Joanna", "Zofia", "Ewa", "Bożena", "Grażyna",
};
static const char * const pl_male[] = {
  "Łukasz", "Paweł", "Krzysztof", "Tomasz", "Wojciech", "Jakub", "Zbigniew",
};
static const char * const pl_surnames_f[] = {
  "Kowalska", "Wiśniewska", "Wójcik", "Nowak", "Lewandowska", "Zielińska", "Szymańska",
  "Dąbrowska", "Kamińska",
};
static const char * const pl_surnames_m[] = {
  "Kowalski", "Wiśniewski", "Wójcik", "Nowak", "Lewandowski", "Zieliński", "Szymański",
  "Dąbrowski", "Kamiński",
};

static const char * const ur_female[] = {
  "Sana", "Ayesha", "Zainab", "Hina", "Rabia", "Saima",
};
static const char * const ur_male[] = {
  "Imran", "Bilal", "Faisal", "Usman", "Tariq",
};
static const char * const ur_surnames[] = {
  "Khan", "Qureshi", "Malik", "Butt", "Sheikh", "Chaudhry", "Siddiqui",
};

static const char * const wa_female[] = {
  "Aminata", "Fatou", "Awa", "Mariama", "Kadiatou", "Binta",
};
static const char * const wa_male[] = {
  "Mamadou", "Ousmane", "Ibrahima", "Moussa", "Abdoulaye",
};
static const char * const wa_surnames[] = {
  "Diallo", "Ndiaye", "Traoré", "Sow", "Bâ", "Camara", "Koné", "Touré", "Sylla",
};

static const char * const yi_female[] = {
  "Chaya", "Rivka", "Esther", "Miriam", "Leah", "Perel",
};
static const char * const yi_male[] = {
  "Yosef", "Moshe", "Shlomo", "Yehuda",
};
static const char * const yi_surnames[] = {
  "Friedman", "Weiss", "Katz", "Rosenberg", "Schwartz", "Goldberg", "Klein",
};

static const char * const en_female[] = {
  "Ashley", "Jessica", "Tanisha", "Keisha", "Jennifer", "Brittany", "Shanice", "Michelle",
  "Kayla", "Nicole", "Destiny", "Amanda", "Zoë", "Renée",
};
static const char * const en_male[] = {
  "Michael", "Tyrone", "Anthony", "Christopher", "DeShawn", "Kevin", "Marcus", "Brian",
  "Jamal",
};
static const char * const en_surnames[] = {
  "Johnson", "Williams", "Brown", "Jones", "Davis", "Jackson", "Thomas", "Robinson",
  "Harris", "O'Brien", "Murphy", "Washington", "Campbell", "Greene", "McCarthy",
};

typedef struct {
  const char         *language;     /* the group's language code */
  const char         *alt_language; /* a second language of the group, or NULL */
  guint               weight;       /* share of clients, per thousand */
  guint               native_pct;   /* share preferring the group's language */
  const char         *race;         /* the most frequent race/ethnicity answer */
  gboolean            family_first; /* native script writes the surname first, no space */
  const char * const *female;
  guint               n_female;
  const char * const *male;
  guint               n_male;
  const char * const *surnames_f;
  guint               n_surnames_f;
  const char * const *surnames_m;
  guint               n_surnames_m;
} NameGroup;

#define L(a) a, G_N_ELEMENTS (a)

static const NameGroup groups[] = {
  { "en", NULL, 300, 100, "black", FALSE, L (en_female), L (en_male), L (en_surnames), L (en_surnames) },
  { "es", NULL, 280, 70, "hispanic", FALSE, L (es_female), L (es_male), L (es_surnames), L (es_surnames) },
  { "zh", "yue", 80, 85, "asian", TRUE, L (zh_female), L (zh_male), L (zh_surnames), L (zh_surnames) },
  { "bn", NULL, 50, 70, "asian", FALSE, L (bn_female), L (bn_male), L (bn_surnames), L (bn_surnames) },
  { "ru", "uk", 50, 75, "white", FALSE, L (ru_female), L (ru_male), L (ru_surnames_f), L (ru_surnames_m) },
  { "ht", "fr", 50, 60, "black", FALSE, L (ht_female), L (ht_male), L (ht_surnames), L (ht_surnames) },
  { "ar", NULL, 40, 70, "other_race", FALSE, L (ar_female), L (ar_male), L (ar_surnames), L (ar_surnames) },
  { "ko", NULL, 30, 75, "asian", TRUE, L (ko_female), L (ko_male), L (ko_surnames), L (ko_surnames) },
  { "pl", NULL, 25, 65, "white", FALSE, L (pl_female), L (pl_male), L (pl_surnames_f), L (pl_surnames_m) },
  { "ur", "pa", 30, 65, "asian", FALSE, L (ur_female), L (ur_male), L (ur_surnames), L (ur_surnames) },
  { "fr", "wo", 30, 60, "black", FALSE, L (wa_female), L (wa_male), L (wa_surnames), L (wa_surnames) },
  { "yi", NULL, 15, 40, "white", FALSE, L (yi_female), L (yi_male), L (yi_surnames), L (yi_surnames) },
};

static const char * const pseudonym_words[] = {
  "Jasmine", "Ruby", "Iris", "Willow", "Sky", "River", "Dove", "Coral", "Star", "Amber",
  "Sage", "Luz", "Esperanza", "Paloma", "Hope",
};

static const char * const street_names[] = {
  "Ocean Ave", "Main St", "Broadway", "3rd Ave", "Jerome Ave", "Fulton St", "Roosevelt Ave",
  "Nostrand Ave", "Westchester Ave", "Amsterdam Ave", "Liberty Ave", "Bay St", "Kings Hwy",
  "Myrtle Ave", "Tremont Ave", "Northern Blvd", "Flatbush Ave", "Victory Blvd", "Church Ave",
  "Lenox Ave",
};

static const char * const area_codes[] = { "718", "347", "929", "917", "646", "212" };

static const char * const safe_times[] = {
  "Weekdays after 6 pm", "Mornings before 9 am", "Tuesdays and Thursdays at work",
  "Anytime", "Only when she calls first", "Lunch break, 12–1 pm", "Weekends only",
};

static const char * const code_phrases[] = {
  "Ask if the dry cleaning is ready", "Say you are calling from the pharmacy",
  "Ask for Dolores from the church", "Say it is about the library book",
  "Ask about the school trip form",
};

static const char * const contact_notes[] = {
  "Introduced the program and explained services.",
  "Discussed safety plan; client will call back when safe.",
  "Client asked for information about orders of protection.",
  "Explained the criminal court process and next steps.",
  "Client prefers contact through text messages.",
  "Scheduled a meeting at the precinct.",
  "Client was at work and asked for a call after 6 pm.",
  "Provided information on crime victim compensation.",
  "Reviewed immigration options; will refer to an attorney.",
  "Client declined services at this time.",
  "Interpreter used for the whole call.",
  "Followed up on the shelter referral.",
};

static const char * const case_notes[] = {
  "Intake completed with an interpreter.",
  "Client is staying with a relative for now.",
  "Discussed safety at home and at work; plan updated.",
  "DA's office contacted about the next court date.",
  "Client worried about immigration consequences of reporting.",
  "Children are safe with a family member.",
  "Client requested that no mail be sent to the home address.",
  "Accompanied client to the precinct to give a statement.",
};

static const char * const task_titles[] = {
  "Call back after 6 pm", "Follow up on order of protection", "Send U-visa certification request",
  "Check in after court date", "Help with compensation application", "Confirm shelter intake",
  "Send appointment reminder by text", "Review safety plan",
};

static const char * const partners[] = {
  "Harbor Family Law Project", "Eastside Immigrant Legal Aid", "Bridge Street Shelter Network",
  "Borough Counseling Collective", "New Roots Trafficking Services", "Safe Passage Housing",
  "Community Legal Clinic of Queens", "Northside Youth Counseling",
};

static const char * const courts[] = {
  "Kings County Criminal Court", "Bronx County Criminal Court", "New York County Criminal Court",
  "Queens County Family Court", "Kings County Family Court", "Bronx Family Court",
  "Richmond County Criminal Court",
};

/* Helpers ---------------------------------------------------------------------------- */

typedef struct {
  char          *id;
  const NameGroup *group;
  gboolean       female;
  const char    *language;
} ClientInfo;

#define RECENT_CLIENTS 64

typedef struct {
  ClStore             *store;
  GRand               *rand;
  gint64               now;        /* unix time: nothing generated is later */
  const ClCommandSeed *commands;
  guint                n_commands;
  GPtrArray           *dv_advocates;  /* per command index */
  GPtrArray           *cv_advocates;
  ClientInfo           recent[RECENT_CLIENTS];
  guint                n_recent;
  guint                complaint_seq;
  guint32              next_id;    /* the first 32 bits of the next record's id */
} Demo;

static inline gboolean
chance (Demo   *d,
        double  p)
{
  return g_rand_double (d->rand) < p;
}

static inline guint
range (Demo *d,
       guint lo,
       guint hi)   /* inclusive */
{
  return (guint) g_rand_int_range (d->rand, (gint32) lo, (gint32) hi + 1);
}

#define PICK(d, arr) ((arr)[g_rand_int_range ((d)->rand, 0, G_N_ELEMENTS (arr))])

static guint
pick_weighted (Demo        *d,
               const guint *weights,
               guint        n)
{
  guint total = 0, r;

  for (guint i = 0; i < n; i++)
    total += weights[i];
  r = (guint) g_rand_int_range (d->rand, 0, (gint32) total);
  for (guint i = 0; i < n; i++)
    {
      if (r < weights[i])
        return i;
      r -= weights[i];
    }
  return n - 1;
}

#define PICK_W(d, codes, weights) \
  ((codes)[pick_weighted ((d), (weights), G_N_ELEMENTS (weights))])

/* The Latin part of "Latin|native". */
static char *
latin (const char *entry)
{
  const char *bar = strchr (entry, '|');
  return bar != NULL ? g_strndup (entry, bar - entry) : g_strdup (entry);
}

/* The native-script part, or NULL. */
static const char *
native (const char *entry)
{
  const char *bar = strchr (entry, '|');
  return bar != NULL ? bar + 1 : NULL;
}

static char *
format_time (gint64 t)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (t);
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

/* The day of @t where the advocate is, as "today" is read there: a moment before now is
 * never on a later day than today (in UTC it is, in New York evenings). */
static char *
format_date (gint64 t)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (t);
  return g_date_time_format (dt, "%Y-%m-%d");
}

#define DAY (G_GINT64_CONSTANT (86400))

/* @t, or @limit if @t is later. A function, not MIN(): the arguments draw random numbers,
 * which MIN() would draw twice (comparing one value and returning another). */
static gint64
not_after (gint64 t,
           gint64 limit)
{
  return t < limit ? t : limit;
}

/* A moment during New York office hours (9 am to 7 pm Eastern, written in UTC) on the day
 * @days_ago days before now, never in the future. */
static gint64
office_hours (Demo   *d,
              double  days_ago)
{
  gint64 day = d->now - (gint64) (days_ago * DAY);
  gint64 t;

  day -= day % DAY;
  t = day + 13 * 3600 + g_rand_int_range (d->rand, 0, 10 * 3600);
  return MIN (t, d->now - 60);
}

static void
set (ClChanges  *c,
     const char *field,
     const char *value)
{
  if (value != NULL)
    cl_changes_set (c, field, value);
}

static void
set_take (ClChanges  *c,
          const char *field,
          char       *value)
{
  if (value != NULL)
    cl_changes_set (c, field, value);
  g_free (value);
}

/* Every record takes an id that counts up (_cl_store_sequential_id()), so that each
 * index grows at its end. */
static char *
create (Demo        *d,
        const char  *type,
        ClChanges   *values,
        GError     **error)
{
  g_autofree char *id = _cl_store_sequential_id (&d->next_id);

  cl_changes_set (values, "id", id);
  return cl_store_create (d->store, type, values, error);
}

/* Reference data --------------------------------------------------------------------- */

static gboolean
ensure_commands (Demo    *d,
                 GError **error)
{
  gint64 n = cl_store_count (d->store, "command", NULL, error);

  if (n < 0)
    return FALSE;
  if (n > 0)
    return TRUE;

  for (guint i = 0; i < d->n_commands; i++)
    {
      const ClCommandSeed *seed = &d->commands[i];
      g_autoptr(ClChanges) c = cl_changes_new ();
      g_autofree char *id = NULL;

      set (c, "code", seed->code);
      set (c, "type", seed->type);
      set (c, "name", seed->name);
      set (c, "borough", seed->borough);
      set (c, "active_from", seed->active_from);
      if ((id = create (d, "command", c, error)) == NULL)
        return FALSE;
    }
  return TRUE;
}

static char *
make_username (const char *given,
               const char *surname,
               const char *code)
{
  g_autofree char *g = g_str_to_ascii (given, "C");
  g_autofree char *s = g_str_to_ascii (surname, "C");
  g_autofree char *lg = g_ascii_strdown (g, -1);
  g_autofree char *ls = g_ascii_strdown (s, -1);
  g_autofree char *c = g_strdelimit (g_ascii_strdown (code, -1), " ", '-');
  GString *out = g_string_new (NULL);

  g_string_append_c (out, lg[0]);
  for (const char *p = ls; *p; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (out, *p);
  g_string_append_printf (out, ".%s", c);
  return g_string_free (out, FALSE);
}

static gboolean
make_staff (Demo    *d,
            GError **error)
{
  gint64 existing = cl_store_count (d->store, "staff", NULL, error);
  static const char * const roles[] = { "advocate_dv", "advocate_cv" };

  if (existing < 0)
    return FALSE;

  for (guint i = 0; i < d->n_commands; i++)
    for (guint r = 0; r < G_N_ELEMENTS (roles); r++)
      {
        const NameGroup *g = &groups[g_rand_int_range (d->rand, 0, G_N_ELEMENTS (groups))];
        gboolean female = chance (d, 0.8);
        g_autofree char *given = latin (female ? g->female[range (d, 0, g->n_female - 1)]
                                               : g->male[range (d, 0, g->n_male - 1)]);
        g_autofree char *surname = latin (female ? g->surnames_f[range (d, 0, g->n_surnames_f - 1)]
                                                 : g->surnames_m[range (d, 0, g->n_surnames_m - 1)]);
        char *username = make_username (given, surname, d->commands[i].code);

        g_ptr_array_add (r == 0 ? d->dv_advocates : d->cv_advocates, username);

        /* A second run on the same vault reuses the staff of the first. */
        if (existing == 0)
          {
            g_autoptr(ClChanges) c = cl_changes_new ();
            g_autofree char *id = NULL;
            g_autofree char *display = g_strconcat (given, " ", surname, NULL);
            g_autofree char *langs = g_strconcat ("en;", g->language, NULL);

            set (c, "username", username);
            set (c, "display_name", display);
            set (c, "role", roles[r]);
            set (c, "commands", d->commands[i].code);
            set (c, "languages", langs);
            set (c, "active", "1");
            if ((id = create (d, "staff", c, error)) == NULL)
              return FALSE;
          }
      }
  return TRUE;
}

/* One case and everything around it -------------------------------------------------- */

typedef enum { TRACK_DV, TRACK_CV, TRACK_TRAFFICKING, TRACK_YOUTH } Track;

static const char * const track_codes[] = { "dv", "cv", "trafficking", "youth" };
static const guint track_weights[] = { 45, 40, 4, 11 };

static const char *
age_band (guint age)
{
  if (age <= 12)
    return "0_12";
  if (age <= 17)
    return "13_17";
  if (age <= 24)
    return "18_24";
  if (age <= 59)
    return "25_59";
  return "60_plus";
}

static const char *
zip_prefix (const char *borough)
{
  if (g_strcmp0 (borough, "manhattan") == 0)
    return "100";
  if (g_strcmp0 (borough, "bronx") == 0)
    return "104";
  if (g_strcmp0 (borough, "brooklyn") == 0)
    return "112";
  if (g_strcmp0 (borough, "staten_island") == 0)
    return "103";
  return "113";
}

static const char *
borough_name (const char *borough)
{
  if (g_strcmp0 (borough, "manhattan") == 0)
    return "New York";
  if (g_strcmp0 (borough, "bronx") == 0)
    return "Bronx";
  if (g_strcmp0 (borough, "brooklyn") == 0)
    return "Brooklyn";
  if (g_strcmp0 (borough, "staten_island") == 0)
    return "Staten Island";
  return "Queens";
}

static char *
phone_number (Demo *d)
{
  return g_strdup_printf ("(%s) 555-%04u", PICK (d, area_codes), range (d, 100, 9999));
}

static gboolean
make_client (Demo                *d,
             Track                track,
             gboolean             anonymous,
             const ClCommandSeed *command,
             ClientInfo          *info,
             GError             **error)
{
  g_autoptr(ClChanges) c = cl_changes_new ();
  guint weights[G_N_ELEMENTS (groups)];
  const NameGroup *g;
  gboolean female;
  const char *given_e, *surname_e;
  g_autofree char *given = NULL;
  g_autofree char *surname = NULL;
  const char *lang;
  guint age;

  for (guint i = 0; i < G_N_ELEMENTS (groups); i++)
    weights[i] = groups[i].weight;
  g = &groups[pick_weighted (d, weights, G_N_ELEMENTS (groups))];

  switch (track)
    {
    case TRACK_DV:
      female = chance (d, 0.85);
      break;
    case TRACK_TRAFFICKING:
      female = chance (d, 0.7);
      break;
    case TRACK_YOUTH:
      female = chance (d, 0.6);
      break;
    case TRACK_CV:
    default:
      female = chance (d, 0.5);
      break;
    }

  given_e = female ? g->female[range (d, 0, g->n_female - 1)]
                   : g->male[range (d, 0, g->n_male - 1)];
  surname_e = female ? g->surnames_f[range (d, 0, g->n_surnames_f - 1)]
                     : g->surnames_m[range (d, 0, g->n_surnames_m - 1)];
  given = latin (given_e);
  surname = latin (surname_e);
  if (strcmp (g->language, "es") == 0 && chance (d, 0.3))
    {
      g_autofree char *second = latin (g->surnames_f[range (d, 0, g->n_surnames_f - 1)]);
      char *both = g_strconcat (surname, " ", second, NULL);
      g_free (surname);
      surname = both;
    }

  if (anonymous)
    {
      set_take (c, "pseudonym", g_strdup_printf ("Anonymous %s-%04u", command->code,
                                                 range (d, 1, 9999)));
    }
  else
    {
      set_take (c, "legal_name", g_strconcat (given, " ", surname, NULL));
      if (chance (d, track == TRACK_TRAFFICKING ? 0.5 : 0.04))
        {
          gunichar initial = g_unichar_toupper (g_utf8_get_char (surname));
          char buf[8] = { 0 };

          g_unichar_to_utf8 (initial, buf);
          set_take (c, "pseudonym", g_strdup_printf ("%s %s.", PICK (d, pseudonym_words), buf));
        }
      if (native (given_e) != NULL && native (surname_e) != NULL && chance (d, 0.3))
        {
          if (g->family_first)
            set_take (c, "preferred_name", g_strconcat (native (surname_e), native (given_e),
                                                        NULL));
          else
            set_take (c, "preferred_name", g_strconcat (native (given_e), " ",
                                                        native (surname_e), NULL));
        }
      else if (chance (d, 0.05))
        set_take (c, "preferred_name", g_strdup (given));
    }

  /* Age and date of birth. */
  switch (track)
    {
    case TRACK_YOUTH:
      age = range (d, 11, 19);
      break;
    case TRACK_TRAFFICKING:
      age = range (d, 16, 45);
      break;
    default:
      age = chance (d, 0.8) ? range (d, 18, 55) : range (d, 56, 88);
      break;
    }
  if (!anonymous && chance (d, 0.85))
    {
      gint64 born = d->now - (gint64) age * 365 * DAY - range (d, 0, 364) * DAY;
      set_take (c, "date_of_birth", format_date (born));
      set_take (c, "age_at_intake", g_strdup_printf ("%u", age));
      set (c, "age_band", age_band (age));
    }
  else if (chance (d, 0.5))
    set (c, "age_band", age_band (age));
  else
    set (c, "age_band", "not_reported");

  /* Gender. */
  if (chance (d, 0.02))
    {
      static const char * const selfs[] = { "non-binary", "trans woman", "trans man",
                                            "genderqueer" };
      set (c, "gender", "other");
      set (c, "gender_self", PICK (d, selfs));
    }
  else if (chance (d, 0.03))
    set (c, "gender", "not_reported");
  else
    set (c, "gender", female ? "female" : "male");

  /* Race/ethnicity: declined and not asked stay distinct. */
  if (chance (d, 0.05))
    set (c, "race_ethnicity", "declined");
  else if (chance (d, 0.03))
    set (c, "race_ethnicity", "not_asked");
  else if (strcmp (g->language, "en") == 0)
    {
      static const char * const en_races[] = { "black", "black", "white", "hispanic",
                                                "black;hispanic", "asian", "other_race" };
      set (c, "race_ethnicity", PICK (d, en_races));
    }
  else if (strcmp (g->language, "es") == 0 && chance (d, 0.2))
    set (c, "race_ethnicity", chance (d, 0.5) ? "black;hispanic" : "hispanic;white");
  else
    set (c, "race_ethnicity", g->race);

  /* Language. */
  lang = "en";
  if (range (d, 1, 100) <= g->native_pct && strcmp (g->language, "en") != 0)
    lang = g->alt_language != NULL && chance (d, 0.3) ? g->alt_language : g->language;
  else if (strcmp (g->language, "en") == 0 && chance (d, 0.01))
    lang = "asl";
  set (c, "preferred_language", lang);
  if (strcmp (lang, "en") != 0)
    set (c, "interpreter_needed", chance (d, 0.8) ? "1" : "0");

  {
    GString *special = g_string_new (NULL);

    if (strcmp (lang, "en") != 0 && chance (d, 0.5))
      g_string_append (special, "immigrant;");
    if (strcmp (lang, "en") != 0 && strcmp (lang, "asl") != 0 && chance (d, 0.6))
      g_string_append (special, "lep;");
    if (strcmp (lang, "asl") == 0)
      g_string_append (special, "deaf_hoh;");
    if (chance (d, 0.04))
      g_string_append (special, "lgbtq;");
    if (chance (d, 0.05))
      g_string_append (special, "disability;");
    if (chance (d, 0.03))
      g_string_append (special, "homeless;");
    if (chance (d, 0.01))
      g_string_append (special, "veteran;");
    set_take (c, "special_classifications", g_string_free (special, FALSE));
  }

  /* Contact details. */
  if (!anonymous)
    {
      gboolean acp = track == TRACK_DV && chance (d, 0.03);

      if (acp)
        {
          set (c, "acp_participant", "1");
          set (c, "address", "ACP substitute address (see the client's ACP card)");
        }
      else if (chance (d, 0.8))
        set_take (c, "address",
                  g_strdup_printf ("%u %s, Apt %u%c, %s, NY %s%02u", range (d, 10, 2999),
                                   PICK (d, street_names), range (d, 1, 12),
                                   'A' + range (d, 0, 7), borough_name (command->borough),
                                   zip_prefix (command->borough), range (d, 1, 99)));
      if (chance (d, 0.85))
        set_take (c, "phone", phone_number (d));
      if (chance (d, 0.25))
        {
          g_autofree char *a = g_str_to_ascii (given, "C");
          g_autofree char *b = g_str_to_ascii (surname, "C");
          g_autofree char *local = g_strdup_printf ("%s.%s%u", a, b, range (d, 1, 99));
          g_autofree char *clean = g_ascii_strdown (g_strdelimit (local, " '", '_'), -1);
          set_take (c, "email", g_strconcat (clean, "@example.com", NULL));
        }
    }
  if (chance (d, track == TRACK_TRAFFICKING ? 0.15 : 0.015))
    set (c, "restricted", "1");

  info->id = create (d, "client", c, error);
  if (info->id == NULL)
    return FALSE;
  info->group = g;
  info->female = female;
  info->language = lang;
  return TRUE;
}

static gboolean
make_safe_contacts (Demo        *d,
                    const char  *client_id,
                    Track        track,
                    gint64       confirmed,
                    GError     **error)
{
  static const char * const channels[] = { "phone", "sms", "voicemail", "in_person", "email" };
  static const guint channel_weights[] = { 50, 25, 10, 10, 5 };
  static const char * const safe_codes[] = { "yes", "no", "unknown" };
  static const guint safe_weights[] = { 60, 15, 25 };
  guint n = range (d, 1, 2);
  const char *first = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ClChanges) c = cl_changes_new ();
      g_autofree char *id = NULL;
      const char *ch = PICK_W (d, channels, channel_weights);

      if (first != NULL && strcmp (first, ch) == 0)
        ch = "in_person";
      first = ch;
      set (c, "client_id", client_id);
      set (c, "channel", ch);
      set (c, "safe", PICK_W (d, safe_codes, safe_weights));
      set (c, "agency_ok", chance (d, 0.7) ? "yes" : (chance (d, 0.5) ? "no" : "unknown"));
      if (chance (d, 0.4))
        set (c, "safe_times", PICK (d, safe_times));
      if (track == TRACK_DV && chance (d, 0.1))
        set (c, "code_phrase", PICK (d, code_phrases));
      if (chance (d, 0.05))
        set_take (c, "alternate_contact", g_strdup_printf ("Sister, %s",
                                                           phone_number (d)));
      if (chance (d, 0.05))
        set (c, "client_will_initiate", "1");
      if (confirmed > 0)
        set_take (c, "confirmed_on", format_date (confirmed));
      if ((id = create (d, "safe_contact", c, error)) == NULL)
        return FALSE;
    }
  return TRUE;
}

static const char *
referral_source (Demo  *d,
                 Track  track)
{
  static const char * const dv[] = { "dir_review", "complaint_review", "officer", "walk_in",
                                     "fjc", "self", "hotline", "district_attorney" };
  static const guint dv_w[] = { 50, 15, 10, 10, 5, 5, 3, 2 };
  static const char * const cv[] = { "complaint_review", "officer", "walk_in",
                                     "district_attorney", "hospital", "self",
                                     "community_org", "other" };
  static const guint cv_w[] = { 55, 15, 10, 5, 5, 5, 3, 2 };
  static const char * const tr[] = { "federal_le", "court", "community_org", "hotline",
                                     "officer", "district_attorney" };
  static const guint tr_w[] = { 25, 25, 20, 10, 10, 10 };
  static const char * const yo[] = { "school", "officer", "complaint_review", "hospital",
                                     "community_org", "court" };
  static const guint yo_w[] = { 30, 20, 20, 10, 10, 10 };

  switch (track)
    {
    case TRACK_DV: return PICK_W (d, dv, dv_w);
    case TRACK_CV: return PICK_W (d, cv, cv_w);
    case TRACK_TRAFFICKING: return PICK_W (d, tr, tr_w);
    case TRACK_YOUTH: return PICK_W (d, yo, yo_w);
    default: g_assert_not_reached ();
    }
}

static gboolean
make_victimizations (Demo        *d,
                     const char  *case_id,
                     Track        track,
                     gint64       incident,
                     guint        age,
                     GError     **error)
{
  static const char * const cv_types[] = { "adult_physical_assault", "robbery", "burglary",
                                           "adult_sexual_assault", "identity_theft",
                                           "hate_crime", "stalking", "homicide_survivor",
                                           "other_vehicular", "elder_abuse", "other" };
  static const guint cv_w[] = { 35, 18, 8, 8, 8, 4, 6, 4, 4, 3, 2 };
  static const char * const yo_types[] = { "child_physical_abuse", "child_sexual_abuse",
                                           "teen_dating", "bullying", "trafficking_sex",
                                           "adult_physical_assault" };
  static const guint yo_w[] = { 25, 20, 20, 15, 10, 10 };
  static const char * const rel_cv[] = { "stranger", "acquaintance", "unknown", "family",
                                         "employer" };
  static const guint rel_cv_w[] = { 50, 25, 15, 7, 3 };
  guint n = chance (d, 0.2) ? 2 : 1;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ClChanges) c = cl_changes_new ();
      g_autofree char *id = NULL;
      const char *type;

      set (c, "case_id", case_id);
      switch (track)
        {
        case TRACK_DV:
          type = i == 0 ? "domestic_violence" : "stalking";
          set (c, "relationship", chance (d, 0.7) ? (chance (d, 0.6) ? "partner_current"
                                                                    : "partner_former")
                                                 : "family");
          break;
        case TRACK_TRAFFICKING:
          type = chance (d, 0.6) ? "trafficking_sex" : "trafficking_labor";
          set (c, "trafficking_type", strcmp (type, "trafficking_sex") == 0 ? "sex" : "labor");
          set (c, "relationship", chance (d, 0.5) ? "acquaintance" : "employer");
          set (c, "foreign_national", chance (d, 0.6) ? "1" : "0");
          break;
        case TRACK_YOUTH:
          type = PICK_W (d, yo_types, yo_w);
          if (strcmp (type, "trafficking_sex") == 0)
            set (c, "trafficking_type", "sex");
          set (c, "relationship", chance (d, 0.5) ? "acquaintance" : "family");
          break;
        case TRACK_CV:
        default:
          type = PICK_W (d, cv_types, cv_w);
          set (c, "relationship", PICK_W (d, rel_cv, rel_cv_w));
          break;
        }
      set (c, "type", type);
      set_take (c, "incident_from", format_date (incident));
      if (track == TRACK_TRAFFICKING || (track == TRACK_DV && i == 1))
        set_take (c, "incident_from", format_date (incident - range (d, 30, 700) * DAY));
      if (track == TRACK_TRAFFICKING || (track == TRACK_DV && i == 1))
        set_take (c, "incident_to", format_date (incident));
      set (c, "minor_at_time", age > 0 && age < 18 ? "1" : "0");
      set (c, "reported_to_police", track == TRACK_TRAFFICKING ? (chance (d, 0.4) ? "yes" : "no")
                                                               : (chance (d, 0.9) ? "yes" : "unknown"));
      if ((id = create (d, "victimization", c, error)) == NULL)
        return FALSE;
    }
  return TRUE;
}

static gboolean
make_contact (Demo        *d,
              const char  *case_id,
              gint64       at,
              const char  *advocate,
              const char  *channel,
              const char  *outcome,
              const char  *language,
              gboolean     interpreter,
              GError     **error)
{
  g_autoptr(ClChanges) c = cl_changes_new ();
  g_autofree char *id = NULL;
  gboolean talked = strcmp (outcome, "reached") == 0 ||
                    strcmp (outcome, "meeting_scheduled") == 0 ||
                    strcmp (outcome, "declined") == 0;

  set (c, "case_id", case_id);
  set_take (c, "at", format_time (at));
  set (c, "advocate", advocate);
  set (c, "direction", chance (d, 0.85) ? "outbound" : "inbound");
  set (c, "channel", channel);
  set (c, "outcome", outcome);
  if (talked)
    {
      set_take (c, "duration_minutes", g_strdup_printf ("%u", range (d, 3, 60)));
      set (c, "language", language);
      if (interpreter)
        set (c, "interpreter", "1");
      if (chance (d, 0.5))
        set (c, "note", PICK (d, contact_notes));
    }
  else if (strcmp (outcome, "voicemail_safe") == 0)
    set (c, "duration_minutes", "1");
  id = create (d, "contact", c, error);
  return id != NULL;
}

static const char *
service_code (Demo  *d,
              Track  track)
{
  static const char * const dv[] = { "C1", "E4", "A1", "A2", "A3", "D1", "B4", "E5", "E10",
                                     "D3", "C4" };
  static const guint dv_w[] = { 30, 20, 12, 10, 8, 5, 5, 4, 3, 2, 1 };
  static const char * const cv[] = { "A1", "A2", "C1", "B3", "B4", "E1", "E2", "C7", "A4",
                                     "E8", "B9" };
  static const guint cv_w[] = { 20, 15, 15, 10, 10, 8, 6, 6, 5, 3, 2 };
  static const char * const tr[] = { "B6", "E7", "C1", "D1", "B10", "A3", "C4", "D2" };
  static const guint tr_w[] = { 25, 20, 15, 10, 10, 10, 5, 5 };
  static const char * const yo[] = { "C1", "A3", "C4", "B8", "A1", "C5" };
  static const guint yo_w[] = { 30, 20, 20, 10, 10, 10 };

  switch (track)
    {
    case TRACK_DV: return PICK_W (d, dv, dv_w);
    case TRACK_CV: return PICK_W (d, cv, cv_w);
    case TRACK_TRAFFICKING: return PICK_W (d, tr, tr_w);
    case TRACK_YOUTH: return PICK_W (d, yo, yo_w);
    default: g_assert_not_reached ();
    }
}

static gboolean
make_child (Demo        *d,
            const char  *type,
            ClChanges   *c,
            GError     **error)
{
  g_autofree char *id = create (d, type, c, error);
  return id != NULL;
}

typedef struct {
  gint64      at;
  const char *channel;
  const char *outcome;
  gboolean    interpreter;
} PlannedContact;

static gboolean
make_case (Demo    *d,
           guint    index,
           GError **error)
{
  static const char * const failed_outcomes[] = { "no_answer", "voicemail_safe", "no_message",
                                                  "wrong_number", "unsafe_call_back" };
  static const guint failed_w[] = { 50, 20, 15, 5, 10 };
  static const char * const closure_reasons[] = { "services_completed", "declined",
                                                  "referred_out", "moved", "other" };
  static const guint closure_w[] = { 60, 20, 10, 6, 4 };
  const ClCommandSeed *command;
  Track track;
  gboolean anonymous;
  ClientInfo fresh = { 0 };
  g_autofree char *fresh_id = NULL;
  const ClientInfo *client;
  g_autoptr(ClChanges) c = cl_changes_new ();
  g_autofree char *case_id = NULL;
  g_autofree char *referral_at = NULL;
  const char *advocate;
  double days_ago;
  gint64 received, t, last, engaged_at = 0;
  const char *status;
  const char *closure = NULL;
  guint n_failed, n_more = 0, cmd_index;
  gboolean reached, closed;
  const char *contact_channel;
  gboolean interpreter, serving;
  PlannedContact plan[12];
  guint n_plan = 0;
  gint64 service_dates[4];
  guint n_services = 0;

  (void) index;
  cmd_index = range (d, 0, d->n_commands - 1);
  command = &d->commands[cmd_index];
  track = (Track) pick_weighted (d, track_weights, G_N_ELEMENTS (track_weights));
  anonymous = chance (d, 0.06);
  advocate = g_ptr_array_index (track == TRACK_DV ? d->dv_advocates : d->cv_advocates,
                                cmd_index);

  /* Referral date: up to three years back, recent ones more frequent. */
  days_ago = 1095.0 * pow (g_rand_double (d->rand), 1.7);
  received = office_hours (d, days_ago);

  /* A few clients come back with a new episode. */
  if (!anonymous && d->n_recent > 0 && chance (d, 0.04))
    client = &d->recent[range (d, 0, MIN (d->n_recent, RECENT_CLIENTS) - 1)];
  else
    {
      ClientInfo *slot;

      if (!make_client (d, track, anonymous, command, &fresh, error))
        return FALSE;
      fresh_id = fresh.id;
      slot = &d->recent[d->n_recent % RECENT_CLIENTS];
      g_free (slot->id);
      *slot = fresh;
      slot->id = g_strdup (fresh.id);
      d->n_recent++;
      client = slot;
    }
  interpreter = strcmp (client->language, "en") != 0 && chance (d, 0.8);

  /* Status follows from the age of the referral. */
  if (days_ago < 3)
    status = chance (d, 0.6) ? "referred" : (chance (d, 0.75) ? "outreach" : "active");
  else if (days_ago < 30)
    {
      static const char * const s[] = { "referred", "outreach", "active", "on_hold", "closed" };
      static const guint w[] = { 10, 35, 45, 5, 5 };
      status = PICK_W (d, s, w);
    }
  else if (days_ago < 180)
    {
      static const char * const s[] = { "outreach", "active", "on_hold", "closed" };
      static const guint w[] = { 10, 40, 10, 40 };
      status = PICK_W (d, s, w);
    }
  else
    {
      static const char * const s[] = { "active", "on_hold", "closed" };
      static const guint w[] = { 12, 5, 83 };
      status = PICK_W (d, s, w);
    }
  closed = strcmp (status, "closed") == 0;
  if (closed)
    closure = chance (d, 0.2) ? "unreachable" : PICK_W (d, closure_reasons, closure_w);
  reached = strcmp (status, "active") == 0 || strcmp (status, "on_hold") == 0 ||
            (closed && strcmp (closure, "unreachable") != 0);

  set (c, "client_id", client->id);
  set (c, "command", command->code);
  set (c, "assigned_to", advocate);
  set (c, "track", track_codes[track]);
  set (c, "status", status);
  referral_at = format_time (received);
  set (c, "referral_received_at", referral_at);
  set (c, "victim_role", anonymous ? "anonymous" : (chance (d, 0.94) ? "primary" : "secondary"));
  {
    GString *funding = g_string_new (NULL);

    if (track == TRACK_TRAFFICKING)
      g_string_append (funding, "trafficking;");
    if (chance (d, 0.55))
      g_string_append (funding, "voca;");
    if (chance (d, 0.2))
      g_string_append (funding, "ovs;");
    if (chance (d, 0.35) || funding->len == 0)
      g_string_append (funding, "city;");
    if (chance (d, 0.05))
      g_string_append (funding, "private;");
    set_take (c, "funding_sources", g_string_free (funding, FALSE));
  }
  if (chance (d, track == TRACK_TRAFFICKING ? 0.15 : 0.01))
    set (c, "restricted", "1");

  /* Outreach, planned before the case is written so that it is created with the dates
   * its contacts give: attempts, then (perhaps) a contact and more contacts. */
  contact_channel = chance (d, 0.8) ? "phone" : (chance (d, 0.5) ? "sms" : "in_person");
  if (strcmp (status, "referred") == 0)
    n_failed = 0;
  else if (reached)
    n_failed = chance (d, 0.5) ? 0 : range (d, 1, 3);
  else
    n_failed = range (d, 1, 5);

  t = received + range (d, 1, 72) * 3600;
  last = received;
  for (guint i = 0; i < n_failed && t < d->now; i++)
    {
      plan[n_plan++] = (PlannedContact) { t, contact_channel,
                                          PICK_W (d, failed_outcomes, failed_w), FALSE };
      last = t;
      t += range (d, 1, 7) * DAY + range (d, 0, 8) * 3600;
    }
  if (reached && t < d->now)
    {
      const char *outcome = closed && strcmp (closure, "declined") == 0 ? "declined"
                            : (chance (d, 0.3) ? "meeting_scheduled" : "reached");

      plan[n_plan++] = (PlannedContact) { t, contact_channel, outcome, interpreter };
      engaged_at = t;
      last = t;
      if (strcmp (outcome, "declined") != 0)
        n_more = range (d, 0, 4);
      t += range (d, 1, 21) * DAY;
      for (guint i = 0; i < n_more && t < d->now; i++)
        {
          static const char * const later[] = { "reached", "meeting_scheduled", "no_answer",
                                                "voicemail_safe" };
          static const guint later_w[] = { 55, 20, 20, 5 };
          const char *ch = chance (d, 0.25) ? "in_person" : contact_channel;

          plan[n_plan++] = (PlannedContact) { t, ch, PICK_W (d, later, later_w), interpreter };
          last = t;
          t += range (d, 3, 45) * DAY;
        }
    }
  g_assert (n_plan <= G_N_ELEMENTS (plan));

  /* Services, only once the client was reached (and did not decline). */
  serving = engaged_at > 0 && !(closed && strcmp (closure, "declined") == 0);
  if (serving)
    {
      gint64 when = engaged_at;

      n_services = range (d, 1, G_N_ELEMENTS (service_dates));
      for (guint i = 0; i < n_services; i++)
        {
          service_dates[i] = when;
          when = not_after (when + range (d, 0, 30) * DAY, d->now);
          last = MAX (last, when);
        }
    }

  if (engaged_at > 0)
    set_take (c, "opened_at", format_date (engaged_at));
  if (closed)
    {
      set_take (c, "closed_at",
                format_date (not_after (last + range (d, 1, 30) * DAY, d->now)));
      set (c, "closure_reason", closure);
    }

  if ((case_id = create (d, "case", c, error)) == NULL)
    return FALSE;

  /* The inbound referral. */
  {
    g_autoptr(ClChanges) r = cl_changes_new ();
    const char *source = referral_source (d, track);
    gint64 incident = received - range (d, 0, 5) * DAY;

    set (r, "case_id", case_id);
    set (r, "received_at", referral_at);
    set (r, "source", source);
    if (strcmp (source, "complaint_review") == 0 || strcmp (source, "dir_review") == 0 ||
        strcmp (source, "officer") == 0)
      {
        g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (incident);
        guint precinct = (guint) g_ascii_strtoull (command->code, NULL, 10);

        if (precinct == 0)   /* "PSA 2" */
          precinct = 900 + (guint) g_ascii_strtoull (command->code + 4, NULL, 10);
        set_take (r, "complaint_number", g_strdup_printf ("%04d-%03u-%06u",
                                                          g_date_time_get_year (dt), precinct,
                                                          ++d->complaint_seq % 1000000));
      }
    set_take (r, "incident_date", format_date (incident));
    set (r, "incident_command", chance (d, 0.9) ? command->code : NULL);
    if (!make_child (d, "referral", r, error))
      return FALSE;

    if (!make_victimizations (d, case_id, track, incident,
                              track == TRACK_YOUTH ? range (d, 11, 17) : 30, error))
      return FALSE;
  }

  if (fresh_id != NULL &&
      !make_safe_contacts (d, client->id, track, reached ? received + 2 * DAY : 0, error))
    return FALSE;

  /* The contacts planned above, now that the case exists. */
  for (guint i = 0; i < n_plan; i++)
    if (!make_contact (d, case_id, plan[i].at, advocate, plan[i].channel, plan[i].outcome,
                       client->language, plan[i].interpreter, error))
      return FALSE;

  /* Services, only once the client was reached. */
  if (serving)
    {
      for (guint i = 0; i < n_services; i++)
        {
          g_autoptr(ClChanges) s = cl_changes_new ();

          set (s, "case_id", case_id);
          set_take (s, "date", format_date (service_dates[i]));
          set (s, "advocate", advocate);
          set (s, "code", service_code (d, track));
          set (s, "times", chance (d, 0.8) ? "1" : (chance (d, 0.5) ? "2" : "3"));
          set (s, "funding_source", track == TRACK_TRAFFICKING ? "trafficking" : "voca");
          if (!make_child (d, "service", s, error))
            return FALSE;
        }

      if (chance (d, 0.3))
        {
          static const char * const types[] = { "legal", "shelter", "counseling",
                                                "immigration_attorney", "compensation",
                                                "court_program", "housing", "medical" };
          static const char * const outcomes[] = { "pending", "connected", "not_connected",
                                                   "declined" };
          static const guint outcome_w[] = { 25, 55, 15, 5 };
          g_autoptr(ClChanges) o = cl_changes_new ();

          set (o, "case_id", case_id);
          set_take (o, "date",
                    format_date (not_after (engaged_at + range (d, 0, 14) * DAY, d->now)));
          set (o, "partner", PICK (d, partners));
          set (o, "service_type", track == TRACK_TRAFFICKING ? "trafficking_cm" : PICK (d, types));
          set (o, "outcome", PICK_W (d, outcomes, outcome_w));
          if (!make_child (d, "outbound_referral", o, error))
            return FALSE;
        }

      if ((track == TRACK_TRAFFICKING && chance (d, 0.6)) ||
          (track != TRACK_TRAFFICKING && strcmp (client->language, "en") != 0 && chance (d, 0.1)))
        {
          static const char * const decisions[] = { "pending", "granted", "denied",
                                                    "withdrawn" };
          static const guint decision_w[] = { 50, 35, 10, 5 };
          g_autoptr(ClChanges) m = cl_changes_new ();
          gint64 requested = not_after (engaged_at + range (d, 7, 60) * DAY, d->now);
          const char *decision = PICK_W (d, decisions, decision_w);

          set (m, "case_id", case_id);
          if (track == TRACK_TRAFFICKING)
            {
              set (m, "type", chance (d, 0.5) ? "t_decl" : "continued_presence");
              set (m, "certifying_agency", chance (d, 0.6) ? "federal_le" : "da");
            }
          else
            {
              set (m, "type", "u_cert");
              set (m, "certifying_agency", chance (d, 0.6) ? "nypd" : "da");
            }
          set_take (m, "requested_on", format_date (requested));
          if (chance (d, 0.1))
            {
              set (m, "urgency", "ages_out");
              set_take (m, "ages_out_on", format_date (d->now + range (d, 20, 400) * DAY));
            }
          set (m, "decision", decision);
          if (strcmp (decision, "pending") != 0)
            set_take (m, "decided_on",
                      format_date (not_after (requested + range (d, 30, 200) * DAY, d->now)));
          if (!make_child (d, "immigration", m, error))
            return FALSE;
        }

      if (track == TRACK_DV && chance (d, 0.25))
        {
          g_autoptr(ClChanges) l = cl_changes_new ();
          gboolean criminal = chance (d, 0.6);

          set (l, "case_id", case_id);
          set (l, "type", criminal ? "criminal_op" : "family_order");
          set (l, "court", PICK (d, courts));
          set_take (l, "docket", g_strdup_printf (criminal ? "CR-%06u-%02u" : "O-%05u-%02u",
                                                  range (d, 1, 999999), range (d, 18, 25)));
          set_take (l, "next_court_date", format_date (d->now + range (d, 1, 120) * DAY));
          set_take (l, "order_expires_on", format_date (d->now + range (d, 30, 700) * DAY));
          set (l, "status", chance (d, 0.7) ? "granted" : "pending");
          if (!make_child (d, "legal_matter", l, error))
            return FALSE;
        }

      if (track == TRACK_CV && chance (d, 0.15))
        {
          static const char * const statuses[] = { "preparing", "filed", "approved",
                                                    "denied" };
          g_autoptr(ClChanges) p = cl_changes_new ();
          const char *st = PICK (d, statuses);

          set (p, "case_id", case_id);
          set_take (p, "crime_date", format_date (received - range (d, 0, 5) * DAY));
          if (strcmp (st, "preparing") != 0)
            {
              set_take (p, "filed_on",
                        format_date (not_after (engaged_at + range (d, 5, 60) * DAY, d->now)));
              set_take (p, "claim_number", g_strdup_printf ("OVS-%07u", range (d, 1, 9999999)));
            }
          set (p, "status", st);
          if (strcmp (st, "approved") == 0)
            set_take (p, "award", g_strdup_printf ("%u", range (d, 2, 60) * 100));
          if (!make_child (d, "compensation", p, error))
            return FALSE;
        }

      if (track == TRACK_DV && chance (d, 0.4))
        {
          g_autoptr(ClChanges) p = cl_changes_new ();

          set (p, "case_id", case_id);
          set_take (p, "completed_on", format_date (engaged_at));
          if (chance (d, 0.3))
            set_take (p, "reviewed_on",
                      format_date (not_after (engaged_at + range (d, 14, 90) * DAY, d->now)));
          if (!make_child (d, "safety_plan", p, error))
            return FALSE;
        }
    }

  /* Notes. */
  if (chance (d, 0.4))
    {
      g_autoptr(ClChanges) n = cl_changes_new ();

      set (n, "case_id", case_id);
      set_take (n, "at", format_time (not_after (last + range (d, 0, 3600), d->now - 1)));
      set (n, "author", advocate);
      set (n, "text", PICK (d, case_notes));
      if (!make_child (d, "note", n, error))
        return FALSE;
    }

  /* Follow-ups: open cases have something due; closed cases' tasks are done. */
  if (!closed || chance (d, 0.3))
    {
      guint n = closed ? 1 : range (d, 0, 2);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(ClChanges) k = cl_changes_new ();
          gint64 due = closed ? last : d->now + ((gint64) range (d, 0, 40) - 10) * DAY;

          set (k, "case_id", case_id);
          set_take (k, "due", format_date (due));
          set (k, "title", PICK (d, task_titles));
          set (k, "done", closed || (due < d->now && chance (d, 0.5)) ? "1" : "0");
          if (!make_child (d, "task", k, error))
            return FALSE;
        }
    }

  return TRUE;
}

/**
 * cl_demo_generate:
 * @n_cases: how many cases to add
 * @seed: the seed: the same seed gives the same caseload
 * @progress: (nullable): called after each committed chunk
 *
 * Adds a synthetic caseload to the vault: clients with safe-contact preferences, cases
 * across NYC's commands on the four tracks, inbound referrals, victimizations, contact
 * attempts and contacts, services with funder codes, outbound referrals, immigration and
 * legal matters, compensation claims, safety plans, notes and tasks. Commands are seeded
 * if the vault has none; two advocates per command are added on the first run.
 *
 * Chunks that were committed stay when a later one fails or is cancelled.
 */
gboolean
cl_demo_generate (ClStore             *store,
                  guint                n_cases,
                  guint32              seed,
                  ClDemoProgressFunc   progress,
                  gpointer             user_data,
                  GCancellable        *cancellable,
                  GError             **error)
{
  return _cl_demo_generate_at (store, n_cases, seed, g_get_real_time () / G_USEC_PER_SEC,
                               progress, user_data, cancellable, error);
}

/* cl_demo_generate() as if the time were @now (unix seconds): for tests. */
gboolean
_cl_demo_generate_at (ClStore             *store,
                      guint                n_cases,
                      guint32              seed,
                      gint64               now,
                      ClDemoProgressFunc   progress,
                      gpointer             user_data,
                      GCancellable        *cancellable,
                      GError             **error)
{
  Demo d = { 0 };
  gboolean ok = FALSE;
  guint done = 0;

  g_return_val_if_fail (CL_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  d.store = store;
  d.rand = g_rand_new_with_seed (seed);
  d.next_id = g_random_int ();
  d.now = now - 60;
  d.commands = cl_refdata_commands (&d.n_commands);
  d.dv_advocates = g_ptr_array_new_with_free_func (g_free);
  d.cv_advocates = g_ptr_array_new_with_free_func (g_free);

  if (!cl_store_begin (store, error))
    goto out;
  if (!ensure_commands (&d, error) || !make_staff (&d, error))
    {
      cl_store_rollback (store);
      goto out;
    }
  if (!cl_store_commit (store, error))
    goto out;

  while (done < n_cases)
    {
      guint chunk = MIN (CL_DEMO_CHUNK, n_cases - done);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      if (!cl_store_begin_bulk (store, error))
        goto out;
      for (guint i = 0; i < chunk; i++)
        if (!make_case (&d, done + i, error))
          {
            cl_store_rollback (store);
            goto out;
          }
      if (!cl_store_commit (store, error))
        goto out;
      done += chunk;
      if (progress != NULL)
        progress (done, n_cases, user_data);
    }
  ok = TRUE;

out:
  for (guint i = 0; i < RECENT_CLIENTS; i++)
    g_free (d.recent[i].id);
  g_ptr_array_unref (d.dv_advocates);
  g_ptr_array_unref (d.cv_advocates);
  g_rand_free (d.rand);
  return ok;
}
