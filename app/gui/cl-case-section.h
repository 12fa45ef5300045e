/* cl-case-section.h: one section of the case page, and what the page offers its sections
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cl-case-page.h"
#include "cl-record.h"
#include "cl-store.h"

G_BEGIN_DECLS

#define CL_TYPE_CASE_SECTION (cl_case_section_get_type ())
G_DECLARE_INTERFACE (ClCaseSection, cl_case_section, CL, CASE_SECTION, GtkWidget)

struct _ClCaseSectionInterface
{
  GTypeInterface parent_iface;

  void     (*reload) (ClCaseSection *self);
  void     (*flush)  (ClCaseSection *self);
  gboolean (*shows)  (ClCaseSection *self,
                      const char    *type);
};

void      cl_case_section_reload (ClCaseSection *self);
void      cl_case_section_flush  (ClCaseSection *self);
gboolean  cl_case_section_shows  (ClCaseSection *self,
                                  const char    *type);

/* A one-line description of a record, for its row. */
typedef void (*ClDescribeFunc) (ClRecord    *record,
                                char       **title,
                                char       **subtitle,
                                const char **icon);

void        cl_case_append_part      (GString        *out,
                                      const char     *part);
const char *cl_case_field_label      (const char     *type,
                                      const char     *field);
GtkWidget  *cl_case_record_row_new   (ClRecord       *record,
                                      ClDescribeFunc  describe);
void        cl_case_fill_store       (GListStore     *store,
                                      GPtrArray      *records,
                                      gboolean        newest_first);

/* What the page offers its sections (cl-case-page.c). */
ClStore       *cl_case_page_get_store          (ClCasePage  *page);
const char    *cl_case_page_get_client_id      (ClCasePage  *page);
ClRecord      *cl_case_page_get_case           (ClCasePage  *page);
ClRecord      *cl_case_page_get_client         (ClCasePage  *page);
GtkStringList *cl_case_page_get_command_codes  (ClCasePage  *page);
GtkStringList *cl_case_page_get_command_labels (ClCasePage  *page);
const char    *cl_case_page_parent_id          (ClCasePage  *page,
                                                const char  *type);
void           cl_case_page_show_message       (ClCasePage  *page,
                                                const char  *message);
void           cl_case_page_emit_edited        (ClCasePage  *page,
                                                const char  *description,
                                                const char  *type,
                                                const char  *id,
                                                ClChanges   *old_values);
gboolean       cl_case_page_save               (ClCasePage  *page,
                                                const char  *type,
                                                const char  *id,
                                                ClChanges   *values,
                                                ClRecord    *before,
                                                const char  *description);
gboolean       cl_case_page_save_and_show      (ClCasePage  *page,
                                                const char  *type,
                                                ClChanges   *values,
                                                const char  *field);
void           cl_case_page_changed            (ClCasePage  *page,
                                                const char  *type);
void           cl_case_page_track_dialog       (ClCasePage  *page,
                                                GtkWindow   *dialog);
void           cl_case_page_open_record        (ClCasePage  *page,
                                                const char  *type,
                                                const char  *id);

G_END_DECLS
