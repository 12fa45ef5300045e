/* cl-schema-types.c: the record types, their fields and enumerations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * DOMAIN.md is the source of these lists. Codes are stable: they are stored in vaults, sent
 * over the wire and used by caseloadctl. Labels are English and marked for translation.
 */

#include <glib/gi18n.h>

#include "cl-schema-private.h"

#define E(n, v) { n, v, G_N_ELEMENTS (v) }

static const ClEnumValue command_type[] = {
  { "precinct", N_("Precinct") },
  { "psa", N_("Police Service Area") },
  { "other", N_("Other") },
};

static const ClEnumValue borough[] = {
  { "manhattan", N_("Manhattan") },
  { "bronx", N_("Bronx") },
  { "brooklyn", N_("Brooklyn") },
  { "queens", N_("Queens") },
  { "staten_island", N_("Staten Island") },
};

static const ClEnumValue staff_role[] = {
  { "advocate_dv", N_("Advocate (domestic violence)") },
  { "advocate_cv", N_("Advocate (crime victims)") },
  { "supervisor", N_("Supervisor") },
  { "director", N_("Director") },
  { "data", N_("Data and reporting") },
  { "admin", N_("Administrator") },
};

static const ClEnumValue language[] = {
  { "en", N_("English") },
  { "es", N_("Spanish") },
  { "zh", N_("Chinese (Mandarin)") },
  { "yue", N_("Chinese (Cantonese)") },
  { "ru", N_("Russian") },
  { "bn", N_("Bengali") },
  { "ht", N_("Haitian Creole") },
  { "ko", N_("Korean") },
  { "ar", N_("Arabic") },
  { "ur", N_("Urdu") },
  { "fr", N_("French") },
  { "pl", N_("Polish") },
  { "yi", N_("Yiddish") },
  { "it", N_("Italian") },
  { "hi", N_("Hindi") },
  { "pa", N_("Punjabi") },
  { "tl", N_("Tagalog") },
  { "uk", N_("Ukrainian") },
  { "vi", N_("Vietnamese") },
  { "wo", N_("Wolof") },
  { "asl", N_("American Sign Language") },
  { "other", N_("Other language") },
};

/* Funder list (VOCA PMT): gender. */
static const ClEnumValue gender[] = {
  { "male", N_("Male") },
  { "female", N_("Female") },
  { "other", N_("Other") },
  { "not_reported", N_("Not reported") },
  { "not_tracked", N_("Not tracked") },
};

/* Local race/ethnicity answers; "declined" and "not_asked" stay distinct and map to the
 * funder's "Not Reported" and "Not Tracked"; several answers map to "Multiple Races". */
static const ClEnumValue race_ethnicity[] = {
  { "american_indian", N_("American Indian or Alaska Native") },
  { "asian", N_("Asian") },
  { "black", N_("Black or African American") },
  { "hispanic", N_("Hispanic or Latino") },
  { "pacific_islander", N_("Native Hawaiian or Other Pacific Islander") },
  { "white", N_("White Non-Latino or Caucasian") },
  { "other_race", N_("Some other race") },
  { "declined", N_("Declined to answer") },
  { "not_asked", N_("Not asked") },
};

static const ClEnumValue age_band[] = {
  { "0_12", N_("0–12") },
  { "13_17", N_("13–17") },
  { "18_24", N_("18–24") },
  { "25_59", N_("25–59") },
  { "60_plus", N_("60 and older") },
  { "not_reported", N_("Not reported") },
  { "not_tracked", N_("Not tracked") },
};

/* Funder list (VOCA PMT): special classifications. */
static const ClEnumValue special_classification[] = {
  { "deaf_hoh", N_("Deaf/Hard of Hearing") },
  { "homeless", N_("Homeless") },
  { "immigrant", N_("Immigrants/Refugees/Asylum Seekers") },
  { "lgbtq", N_("LGBTQ") },
  { "veteran", N_("Veterans") },
  { "disability", N_("Victims with Disabilities") },
  { "lep", N_("Victims with Limited English Proficiency") },
  { "other", N_("Other") },
};

static const ClEnumValue channel[] = {
  { "phone", N_("Phone call") },
  { "voicemail", N_("Voicemail") },
  { "sms", N_("Text message") },
  { "email", N_("Email") },
  { "mail", N_("Mail") },
  { "in_person", N_("In person at the precinct") },
  { "home_visit", N_("Home visit") },
  { "alternate", N_("Via an alternate contact") },
};

static const ClEnumValue tri_state[] = {
  { "yes", N_("Yes") },
  { "no", N_("No") },
  { "unknown", N_("Unknown") },
};

static const ClEnumValue track[] = {
  { "dv", N_("Domestic violence") },
  { "cv", N_("Crime victim") },
  { "trafficking", N_("Trafficking") },
  { "youth", N_("Youth / Safe Harbour") },
};

static const ClEnumValue case_status[] = {
  { "referred", N_("Referred") },
  { "outreach", N_("Outreach") },
  { "active", N_("Active") },
  { "on_hold", N_("On hold") },
  { "closed", N_("Closed") },
};

static const ClEnumValue closure_reason[] = {
  { "services_completed", N_("Services completed") },
  { "declined", N_("Client declined services") },
  { "unreachable", N_("Unable to reach") },
  { "moved", N_("Moved out of the area") },
  { "referred_out", N_("Referred to another program") },
  { "deceased", N_("Client deceased") },
  { "duplicate", N_("Duplicate case") },
  { "other", N_("Other") },
};

static const ClEnumValue victim_role[] = {
  { "primary", N_("Primary victim") },
  { "secondary", N_("Secondary victim (family member)") },
  { "anonymous", N_("Anonymous contact") },
};

static const ClEnumValue funding_source[] = {
  { "voca", N_("VOCA") },
  { "ovs", N_("NY Office of Victim Services") },
  { "city", N_("City of New York") },
  { "trafficking", N_("Federal trafficking grant") },
  { "private", N_("Private funding") },
  { "other", N_("Other") },
};

static const ClEnumValue referral_source[] = {
  { "complaint_review", N_("Complaint report review") },
  { "dir_review", N_("DIR review") },
  { "officer", N_("Officer or detective referral") },
  { "walk_in", N_("Precinct walk-in") },
  { "self", N_("Self / phone") },
  { "district_attorney", N_("District attorney") },
  { "fjc", N_("Family Justice Center") },
  { "hospital", N_("Hospital") },
  { "community_org", N_("Other community organization") },
  { "court", N_("Court / HTIC") },
  { "federal_le", N_("Federal law enforcement") },
  { "hotline", N_("Hotline") },
  { "school", N_("School") },
  { "other", N_("Other") },
};

/* Funder list (VOCA PMT): victimization types. */
static const ClEnumValue victimization_type[] = {
  { "adult_physical_assault", N_("Adult Physical Assault") },
  { "adult_sexual_assault", N_("Adult Sexual Assault") },
  { "adult_csa", N_("Adults Sexually Abused/Assaulted as Children") },
  { "arson", N_("Arson") },
  { "bullying", N_("Bullying") },
  { "burglary", N_("Burglary") },
  { "child_physical_abuse", N_("Child Physical Abuse or Neglect") },
  { "child_pornography", N_("Child Pornography") },
  { "child_sexual_abuse", N_("Child Sexual Abuse/Assault") },
  { "domestic_violence", N_("Domestic and/or Family Violence") },
  { "dui_dwi", N_("DUI/DWI Incidents") },
  { "elder_abuse", N_("Elder Abuse or Neglect") },
  { "hate_crime", N_("Hate Crime") },
  { "trafficking_labor", N_("Human Trafficking: Labor") },
  { "trafficking_sex", N_("Human Trafficking: Sex") },
  { "identity_theft", N_("Identity Theft/Fraud/Financial Crime") },
  { "kidnapping_noncustodial", N_("Kidnapping (noncustodial)") },
  { "kidnapping_custodial", N_("Kidnapping (custodial)") },
  { "mass_violence", N_("Mass Violence") },
  { "other_vehicular", N_("Other Vehicular Victimization") },
  { "robbery", N_("Robbery") },
  { "stalking", N_("Stalking/Harassment") },
  { "homicide_survivor", N_("Survivors of Homicide Victims") },
  { "teen_dating", N_("Teen Dating Victimization") },
  { "terrorism", N_("Terrorism") },
  { "other", N_("Other") },
};

static const ClEnumValue relationship[] = {
  { "partner_current", N_("Current intimate partner") },
  { "partner_former", N_("Former intimate partner") },
  { "family", N_("Family member") },
  { "acquaintance", N_("Acquaintance") },
  { "stranger", N_("Stranger") },
  { "employer", N_("Employer") },
  { "unknown", N_("Unknown") },
};

static const ClEnumValue trafficking_type[] = {
  { "sex", N_("Sex") },
  { "labor", N_("Labor") },
  { "both", N_("Sex and labor") },
  { "unknown", N_("Unknown") },
};

static const ClEnumValue direction[] = {
  { "outbound", N_("Outbound") },
  { "inbound", N_("Inbound") },
};

static const ClEnumValue contact_outcome[] = {
  { "reached", N_("Reached") },
  { "voicemail_safe", N_("Left voicemail (safe)") },
  { "no_message", N_("No message left (not confirmed safe)") },
  { "no_answer", N_("No answer") },
  { "wrong_number", N_("Wrong number") },
  { "unsafe_call_back", N_("Unsafe to talk, call back") },
  { "declined", N_("Declined services") },
  { "meeting_scheduled", N_("Meeting scheduled") },
};

/* Funder list (VOCA PMT): services, by category letter. */
static const ClEnumValue service_code[] = {
  { "A1", N_("Information about the criminal justice process") },
  { "A2", N_("Information about victim rights, notifications") },
  { "A3", N_("Referral to other victim service programs") },
  { "A4", N_("Referral to other services, supports and resources") },
  { "B1", N_("Advocacy to emergency medical care") },
  { "B2", N_("Advocacy to medical forensic exam") },
  { "B3", N_("Law enforcement interview advocacy") },
  { "B4", N_("Individual advocacy (benefits, property return)") },
  { "B5", N_("Performance of medical or forensic exam or interview") },
  { "B6", N_("Immigration assistance (special visas, Continued Presence)") },
  { "B7", N_("Intervention with employer, creditor, landlord or school") },
  { "B8", N_("Child or dependent care assistance") },
  { "B9", N_("Transportation assistance") },
  { "B10", N_("Interpreter services") },
  { "C1", N_("Crisis intervention (including safety planning)") },
  { "C2", N_("Hotline/crisis line counseling") },
  { "C3", N_("On-scene crisis response") },
  { "C4", N_("Individual counseling") },
  { "C5", N_("Support groups") },
  { "C6", N_("Other therapy") },
  { "C7", N_("Emergency financial assistance") },
  { "D1", N_("Emergency shelter or safe house") },
  { "D2", N_("Transitional housing") },
  { "D3", N_("Relocation assistance") },
  { "E1", N_("Notification of criminal justice events") },
  { "E2", N_("Victim impact statement assistance") },
  { "E3", N_("Assistance with restitution") },
  { "E4", N_("Protection or restraining order") },
  { "E5", N_("Family law (custody, visitation, support)") },
  { "E6", N_("Other emergency justice assistance") },
  { "E7", N_("Immigration attorney assistance") },
  { "E8", N_("Prosecution interview advocacy") },
  { "E9", N_("Law enforcement interview accompaniment") },
  { "E10", N_("Criminal advocacy/accompaniment") },
  { "E11", N_("Other legal advice or counsel") },
};

static const ClEnumValue referral_service[] = {
  { "legal", N_("Legal services") },
  { "shelter", N_("Shelter") },
  { "counseling", N_("Counseling") },
  { "immigration_attorney", N_("Immigration attorney") },
  { "compensation", N_("Victim compensation") },
  { "court_program", N_("Court program") },
  { "trafficking_cm", N_("Trafficking case management") },
  { "medical", N_("Medical care") },
  { "housing", N_("Housing") },
  { "financial", N_("Financial assistance") },
  { "other", N_("Other") },
};

static const ClEnumValue referral_outcome[] = {
  { "pending", N_("Pending") },
  { "connected", N_("Connected") },
  { "not_connected", N_("Not connected") },
  { "declined", N_("Declined") },
};

static const ClEnumValue info_category[] = {
  { "identity", N_("Identity and contact details") },
  { "case_status", N_("Case status") },
  { "services", N_("Services received") },
  { "immigration", N_("Immigration matters") },
  { "medical", N_("Medical information") },
  { "court", N_("Court matters") },
};

static const ClEnumValue signer_role[] = {
  { "self", N_("Client") },
  { "parent_guardian", N_("Parent or guardian") },
  { "legal_guardian", N_("Legal guardian") },
  { "minor_alone", N_("Minor alone") },
};

static const ClEnumValue disclosure_authority[] = {
  { "consent", N_("Client's written consent") },
  { "subpoena", N_("Subpoena") },
  { "court_order", N_("Court order") },
  { "other_law", N_("Other legal authority") },
};

static const ClEnumValue immigration_type[] = {
  { "u_cert", N_("U-visa certification (I-918 Supplement B)") },
  { "t_decl", N_("T-visa declaration (I-914 Supplement B)") },
  { "continued_presence", N_("Continued Presence") },
  { "hhs_letter", N_("HHS certification / eligibility / interim assistance letter") },
  { "nys_confirmation", N_("New York State confirmation (SSL §483-cc)") },
  { "other_relief", N_("Other relief referral") },
};

static const ClEnumValue certifying_agency[] = {
  { "nypd", N_("NYPD") },
  { "da", N_("District attorney") },
  { "federal_le", N_("Federal law enforcement") },
  { "hhs", N_("HHS") },
  { "state", N_("New York State") },
  { "other", N_("Other") },
};

static const ClEnumValue urgency[] = {
  { "ice_custody", N_("In ICE custody") },
  { "removal", N_("In removal proceedings") },
  { "ages_out", N_("A family member ages out") },
};

static const ClEnumValue decision[] = {
  { "pending", N_("Pending") },
  { "granted", N_("Signed / granted") },
  { "denied", N_("Denied") },
  { "withdrawn", N_("Withdrawn") },
};

static const ClEnumValue legal_type[] = {
  { "criminal_op", N_("Criminal court order of protection") },
  { "family_order", N_("Family court order") },
  { "custody", N_("Custody") },
  { "htic", N_("Human trafficking intervention court case") },
  { "vacatur", N_("Vacatur (CPL 440.10(1)(i))") },
  { "civil", N_("Civil action") },
  { "other", N_("Other") },
};

static const ClEnumValue legal_status[] = {
  { "pending", N_("Pending") },
  { "granted", N_("Granted / in effect") },
  { "denied", N_("Denied") },
  { "expired", N_("Expired") },
  { "closed", N_("Closed") },
};

static const ClEnumValue claim_status[] = {
  { "preparing", N_("Preparing") },
  { "filed", N_("Filed") },
  { "approved", N_("Approved") },
  { "denied", N_("Denied") },
  { "appealed", N_("Appealed") },
  { "closed", N_("Closed") },
};

static const ClEnumValue audit_action[] = {
  { "view", N_("View") },
  { "edit", N_("Edit") },
  { "export", N_("Export") },
  { "print", N_("Print") },
  { "disclose", N_("Disclose") },
  { "purge", N_("Purge") },
};

static const ClEnum enums[] = {
  E ("command_type", command_type),
  E ("borough", borough),
  E ("staff_role", staff_role),
  E ("language", language),
  E ("gender", gender),
  E ("race_ethnicity", race_ethnicity),
  E ("age_band", age_band),
  E ("special_classification", special_classification),
  E ("channel", channel),
  E ("tri_state", tri_state),
  E ("track", track),
  E ("case_status", case_status),
  E ("closure_reason", closure_reason),
  E ("victim_role", victim_role),
  E ("funding_source", funding_source),
  E ("referral_source", referral_source),
  E ("victimization_type", victimization_type),
  E ("relationship", relationship),
  E ("trafficking_type", trafficking_type),
  E ("direction", direction),
  E ("contact_outcome", contact_outcome),
  E ("service_code", service_code),
  E ("referral_service", referral_service),
  E ("referral_outcome", referral_outcome),
  E ("info_category", info_category),
  E ("signer_role", signer_role),
  E ("disclosure_authority", disclosure_authority),
  E ("immigration_type", immigration_type),
  E ("certifying_agency", certifying_agency),
  E ("urgency", urgency),
  E ("decision", decision),
  E ("legal_type", legal_type),
  E ("legal_status", legal_status),
  E ("claim_status", claim_status),
  E ("audit_action", audit_action),
};

/* Field shorthands. */
#define F(n, l, k, t, f) { n, l, CL_FIELD_##k, t, f }
#define REQ CL_FIELD_REQUIRED
#define PII CL_FIELD_PII
#define RST CL_FIELD_RESTRICTED
#define SRCH CL_FIELD_SEARCH
#define IMM CL_FIELD_IMMUTABLE
#define DRV CL_FIELD_DERIVED
#define USERS CL_FIELD_USER_SET
#define PARENT_CASE F ("case_id", N_("Case"), REF, "case", REQ | IMM)
#define PARENT_CLIENT F ("client_id", N_("Client"), REF, "client", REQ | IMM)

static const ClField command_fields[] = {
  F ("code", N_("Code"), TEXT, NULL, REQ | IMM),
  F ("type", N_("Type"), ENUM, "command_type", REQ),
  F ("name", N_("Name"), TEXT, NULL, REQ),
  F ("borough", N_("Borough"), ENUM, "borough", 0),
  F ("active_from", N_("Active from"), DATE, NULL, 0),
  F ("active_to", N_("Active until"), DATE, NULL, 0),
};

static const ClField staff_fields[] = {
  F ("username", N_("Username"), TEXT, NULL, REQ | IMM),
  F ("display_name", N_("Display name"), TEXT, NULL, REQ),
  F ("role", N_("Role"), ENUM, "staff_role", REQ),
  F ("commands", N_("Commands"), TEXT, NULL, 0),
  F ("languages", N_("Languages spoken"), ENUM_SET, "language", 0),
  F ("active", N_("Active"), BOOL, NULL, 0),
};

static const ClField partner_fields[] = {
  F ("name", N_("Name"), TEXT, NULL, REQ),
  F ("service_types", N_("Services offered"), ENUM_SET, "referral_service", 0),
  F ("phone", N_("Phone"), TEXT, NULL, 0),
  F ("address", N_("Address"), TEXT, NULL, 0),
  F ("notes", N_("Notes"), TEXT, NULL, 0),
};

static const ClField client_fields[] = {
  F ("legal_name", N_("Legal name"), TEXT, NULL, PII | SRCH),
  F ("preferred_name", N_("Preferred name"), TEXT, NULL, PII | SRCH),
  F ("pseudonym", N_("Pseudonym"), TEXT, NULL, SRCH),
  F ("date_of_birth", N_("Date of birth"), DATE, NULL, PII),
  F ("age_at_intake", N_("Age at intake"), INT, NULL, 0),
  F ("age_band", N_("Age band"), ENUM, "age_band", 0),
  F ("gender_self", N_("Gender (self-description)"), TEXT, NULL, PII),
  F ("gender", N_("Gender (reporting category)"), ENUM, "gender", 0),
  F ("race_ethnicity", N_("Race/ethnicity"), ENUM_SET, "race_ethnicity", 0),
  F ("preferred_language", N_("Preferred language"), ENUM, "language", 0),
  F ("interpreter_needed", N_("Interpreter needed"), BOOL, NULL, 0),
  F ("special_classifications", N_("Special classifications"), ENUM_SET, "special_classification", 0),
  F ("acp_participant", N_("Address Confidentiality Program"), BOOL, NULL, 0),
  F ("address", N_("Address (substitute address if ACP)"), TEXT, NULL, PII),
  F ("phone", N_("Phone"), TEXT, NULL, PII | SRCH),
  F ("email", N_("Email"), TEXT, NULL, PII),
  F ("restricted", N_("Restricted"), BOOL, NULL, 0),
};

static const ClField safe_contact_fields[] = {
  PARENT_CLIENT,
  F ("channel", N_("Channel"), ENUM, "channel", REQ),
  F ("safe", N_("Safe"), ENUM, "tri_state", REQ),
  F ("agency_ok", N_("OK to identify the agency"), ENUM, "tri_state", 0),
  F ("safe_times", N_("Safe times"), TEXT, NULL, PII),
  F ("alternate_contact", N_("Alternate contact"), TEXT, NULL, PII),
  F ("code_phrase", N_("Code phrase"), TEXT, NULL, PII),
  F ("client_will_initiate", N_("Client will initiate"), BOOL, NULL, 0),
  F ("confirmed_on", N_("Confirmed on"), DATE, NULL, 0),
  F ("confirmed_by", N_("Confirmed by"), TEXT, NULL, 0),
};

static const ClField case_fields[] = {
  PARENT_CLIENT,
  F ("case_number", N_("Case number"), TEXT, NULL, IMM | SRCH),
  F ("command", N_("Command"), COMMAND, NULL, REQ),
  F ("assigned_to", N_("Assigned advocate"), TEXT, NULL, 0),
  F ("track", N_("Track"), ENUM, "track", REQ),
  F ("status", N_("Status"), ENUM, "case_status", REQ),
  F ("referral_received_at", N_("Referral received"), DATETIME, NULL, 0),
  F ("opened_at", N_("Opened"), DATE, NULL, 0),
  F ("closed_at", N_("Closed"), DATE, NULL, 0),
  F ("closure_reason", N_("Closure reason"), ENUM, "closure_reason", 0),
  F ("victim_role", N_("Victim role"), ENUM, "victim_role", 0),
  F ("funding_sources", N_("Funding sources"), ENUM_SET, "funding_source", 0),
  F ("restricted", N_("Restricted"), BOOL, NULL, 0),
  F ("named_users", N_("Named users"), TEXT, NULL, USERS),
  F ("first_attempt_at", N_("First attempt"), DATETIME, NULL, DRV),
  F ("first_contact_at", N_("First contact"), DATETIME, NULL, DRV),
  F ("last_activity_at", N_("Last activity"), DATETIME, NULL, DRV),
  F ("next_due_on", N_("Next task due"), DATE, NULL, DRV),
};

static const ClField referral_fields[] = {
  PARENT_CASE,
  F ("received_at", N_("Received"), DATETIME, NULL, REQ),
  F ("source", N_("Source"), ENUM, "referral_source", REQ),
  F ("complaint_number", N_("Complaint or DIR number"), TEXT, NULL, RST | SRCH),
  F ("incident_date", N_("Incident date"), DATE, NULL, 0),
  F ("incident_command", N_("Incident precinct"), COMMAND, NULL, 0),
};

static const ClField victimization_fields[] = {
  PARENT_CASE,
  F ("type", N_("Victimization type"), ENUM, "victimization_type", REQ),
  F ("incident_from", N_("Incident date (from)"), DATE, NULL, 0),
  F ("incident_to", N_("Incident date (to)"), DATE, NULL, 0),
  F ("relationship", N_("Relationship to offender"), ENUM, "relationship", 0),
  F ("trafficking_type", N_("Trafficking type"), ENUM, "trafficking_type", 0),
  F ("minor_at_time", N_("Minor at the time"), BOOL, NULL, 0),
  F ("foreign_national", N_("Foreign national"), BOOL, NULL, RST),
  F ("reported_to_police", N_("Reported to police"), ENUM, "tri_state", 0),
};

static const ClField contact_fields[] = {
  PARENT_CASE,
  F ("at", N_("When"), DATETIME, NULL, REQ),
  F ("advocate", N_("Advocate"), TEXT, NULL, 0),
  F ("direction", N_("Direction"), ENUM, "direction", 0),
  F ("channel", N_("Channel"), ENUM, "channel", REQ),
  F ("outcome", N_("Outcome"), ENUM, "contact_outcome", REQ),
  F ("duration_minutes", N_("Duration (minutes)"), INT, NULL, 0),
  F ("language", N_("Language"), ENUM, "language", 0),
  F ("interpreter", N_("Interpreter used"), BOOL, NULL, 0),
  F ("note", N_("Note"), TEXT, NULL, PII),
};

static const ClField service_fields[] = {
  PARENT_CASE,
  F ("date", N_("Date"), DATE, NULL, REQ),
  F ("advocate", N_("Advocate"), TEXT, NULL, 0),
  F ("code", N_("Service"), ENUM, "service_code", REQ),
  F ("times", N_("Times provided"), INT, NULL, 0),
  F ("funding_source", N_("Funding source"), ENUM, "funding_source", 0),
  F ("victimization_ids", N_("Victimizations"), TEXT, NULL, 0),
  F ("note", N_("Note"), TEXT, NULL, PII),
};

static const ClField outbound_referral_fields[] = {
  PARENT_CASE,
  F ("date", N_("Date"), DATE, NULL, REQ),
  F ("partner", N_("Partner organization"), TEXT, NULL, REQ),
  F ("service_type", N_("Service type"), ENUM, "referral_service", REQ),
  F ("release_id", N_("Release of information"), REF, "release", 0),
  F ("outcome", N_("Outcome"), ENUM, "referral_outcome", 0),
};

static const ClField release_fields[] = {
  PARENT_CLIENT,
  F ("recipient", N_("Recipient"), TEXT, NULL, REQ),
  F ("purpose", N_("Purpose"), TEXT, NULL, 0),
  F ("categories", N_("Information released"), ENUM_SET, "info_category", 0),
  F ("signed_on", N_("Signed on"), DATE, NULL, REQ),
  F ("expires_on", N_("Expires on"), DATE, NULL, REQ),
  F ("signer", N_("Signer"), TEXT, NULL, PII),
  F ("signer_role", N_("Signer's role"), ENUM, "signer_role", 0),
  F ("revoked_on", N_("Revoked on"), DATE, NULL, 0),
  F ("document_ref", N_("Document reference"), TEXT, NULL, 0),
};

static const ClField disclosure_fields[] = {
  PARENT_CLIENT,
  F ("what", N_("What was disclosed"), TEXT, NULL, REQ),
  F ("recipient", N_("To whom"), TEXT, NULL, REQ),
  F ("at", N_("When"), DATETIME, NULL, REQ),
  F ("authority", N_("Authority"), ENUM, "disclosure_authority", REQ),
  F ("release_id", N_("Release of information"), REF, "release", 0),
  F ("victim_notified_on", N_("Client notified on"), DATE, NULL, 0),
};

static const ClField immigration_fields[] = {
  PARENT_CASE,
  F ("type", N_("Type"), ENUM, "immigration_type", REQ),
  F ("certifying_agency", N_("Certifying agency"), ENUM, "certifying_agency", 0),
  F ("requested_on", N_("Requested on"), DATE, NULL, 0),
  F ("urgency", N_("Urgency"), ENUM_SET, "urgency", 0),
  F ("ages_out_on", N_("Family member ages out on"), DATE, NULL, 0),
  F ("decision", N_("Decision"), ENUM, "decision", 0),
  F ("decided_on", N_("Decided or signed on"), DATE, NULL, 0),
  F ("filed_on", N_("Filed on"), DATE, NULL, 0),
  F ("expires_on", N_("Expires on"), DATE, NULL, 0),
  F ("appeal", N_("Appeal"), BOOL, NULL, 0),
  F ("attorney", N_("Attorney"), TEXT, NULL, 0),
  F ("release_id", N_("Release of information"), REF, "release", 0),
};

static const ClField legal_matter_fields[] = {
  PARENT_CASE,
  F ("type", N_("Type"), ENUM, "legal_type", REQ),
  F ("court", N_("Court"), TEXT, NULL, 0),
  F ("docket", N_("Docket number"), TEXT, NULL, RST | SRCH),
  F ("next_court_date", N_("Next court date"), DATE, NULL, 0),
  F ("order_expires_on", N_("Order expires on"), DATE, NULL, 0),
  F ("status", N_("Status"), ENUM, "legal_status", 0),
};

static const ClField compensation_fields[] = {
  PARENT_CASE,
  F ("crime_date", N_("Crime date"), DATE, NULL, 0),
  F ("filed_on", N_("Filed on"), DATE, NULL, 0),
  F ("filing_deadline", N_("Filing deadline"), DATE, NULL, DRV),
  F ("claim_number", N_("Claim number"), TEXT, NULL, RST | SRCH),
  F ("status", N_("Status"), ENUM, "claim_status", 0),
  F ("award", N_("Award (dollars)"), INT, NULL, 0),
};

static const ClField task_fields[] = {
  PARENT_CASE,
  F ("due", N_("Due"), DATE, NULL, REQ),
  F ("title", N_("Title"), TEXT, NULL, REQ),
  F ("done", N_("Done"), BOOL, NULL, 0),
};

static const ClField safety_plan_fields[] = {
  PARENT_CASE,
  F ("completed_on", N_("Completed on"), DATE, NULL, 0),
  F ("reviewed_on", N_("Reviewed on"), DATE, NULL, 0),
  F ("items", N_("Plan items"), TEXT, NULL, PII),
};

static const ClField note_fields[] = {
  PARENT_CASE,
  F ("at", N_("When"), DATETIME, NULL, REQ),
  F ("author", N_("Author"), TEXT, NULL, 0),
  F ("text", N_("Note"), TEXT, NULL, REQ | PII),
};

static const ClField audit_fields[] = {
  F ("user", N_("User"), TEXT, NULL, REQ),
  F ("at", N_("When"), DATETIME, NULL, REQ),
  F ("action", N_("Action"), ENUM, "audit_action", REQ),
  F ("record_type", N_("Record type"), TEXT, NULL, 0),
  F ("record_id", N_("Record"), TEXT, NULL, 0),
  F ("reason", N_("Reason"), TEXT, NULL, 0),
};

#define T(n, tab, l, p, fl, f) { n, tab, l, p, fl, f, G_N_ELEMENTS (f) }

static const ClType types[] = {
  T ("command", "command", N_("Command"), NULL, CL_TYPE_REFERENCE, command_fields),
  T ("staff", "staff", N_("Staff member"), NULL, CL_TYPE_REFERENCE, staff_fields),
  T ("partner", "partner", N_("Partner organization"), NULL, CL_TYPE_REFERENCE, partner_fields),
  T ("client", "client", N_("Client"), NULL, 0, client_fields),
  T ("safe_contact", "safe_contact", N_("Safe-contact preference"), "client_id", 0, safe_contact_fields),
  T ("case", "cases", N_("Case"), "client_id", 0, case_fields),
  T ("referral", "referral", N_("Inbound referral"), "case_id", 0, referral_fields),
  T ("victimization", "victimization", N_("Victimization"), "case_id", 0, victimization_fields),
  T ("contact", "contact", N_("Contact"), "case_id", CL_TYPE_APPEND_ONLY, contact_fields),
  T ("service", "service", N_("Service"), "case_id", CL_TYPE_APPEND_ONLY, service_fields),
  T ("outbound_referral", "outbound_referral", N_("Outbound referral"), "case_id", 0, outbound_referral_fields),
  T ("release", "release_of_info", N_("Release of information"), "client_id", 0, release_fields),
  T ("disclosure", "disclosure", N_("Disclosure"), "client_id", 0, disclosure_fields),
  T ("immigration", "immigration", N_("Immigration matter"), "case_id", 0, immigration_fields),
  T ("legal_matter", "legal_matter", N_("Legal matter"), "case_id", 0, legal_matter_fields),
  T ("compensation", "compensation", N_("Compensation claim"), "case_id", 0, compensation_fields),
  T ("task", "task", N_("Task"), "case_id", 0, task_fields),
  T ("safety_plan", "safety_plan", N_("Safety plan"), "case_id", 0, safety_plan_fields),
  T ("note", "note", N_("Note"), "case_id", CL_TYPE_APPEND_ONLY, note_fields),
  T ("audit", "audit_event", N_("Audit event"), NULL, CL_TYPE_APPEND_ONLY, audit_fields),
};

const ClType *
_cl_schema_type_table (guint *n_types)
{
  *n_types = G_N_ELEMENTS (types);
  return types;
}

const ClEnum *
_cl_schema_enum_table (guint *n_enums)
{
  *n_enums = G_N_ELEMENTS (enums);
  return enums;
}
