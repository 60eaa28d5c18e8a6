// TemplateAdmin (ecoute/templates.h): the template table behind one mutex, every write
// checked against the brand catalog in force first.
#include <utility>

#include "ecoute/templates.h"

#include "store/template_tables.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace ecoute {
namespace {

class StoredTemplates final : public TemplateAdmin {
 public:
  StoredTemplates(std::unique_ptr<TemplateTables> tables, CatalogSource catalog)
      : catalog_(std::move(catalog)), tables_(std::move(tables)) {}

  Result<std::vector<ReplyTemplate>> List() override {
    MutexLock lock(mutex_);
    return tables_->ListTemplates();
  }
  Result<ReplyTemplate> Get(int64_t id) override {
    MutexLock lock(mutex_);
    return tables_->GetTemplate(id);
  }
  Result<ReplyTemplate> Add(ReplyTemplate t) override {
    ECOUTE_RETURN_IF_ERROR(CheckTemplate(*catalog_(), t));
    MutexLock lock(mutex_);
    return tables_->CreateTemplate(t);
  }
  Result<ReplyTemplate> Update(ReplyTemplate t) override {
    ECOUTE_RETURN_IF_ERROR(CheckTemplate(*catalog_(), t));
    MutexLock lock(mutex_);
    return tables_->UpdateTemplate(t);
  }
  Status Remove(int64_t id) override {
    MutexLock lock(mutex_);
    return tables_->DeleteTemplate(id);
  }

 private:
  const CatalogSource catalog_;
  Mutex mutex_;
  std::unique_ptr<TemplateTables> tables_ ECOUTE_GUARDED_BY(mutex_);
};

}  // namespace

Result<std::unique_ptr<TemplateAdmin>> TemplateAdmin::Open(const std::string& db_path,
                                                           BrandCatalog catalog) {
  auto fixed = std::make_shared<const BrandCatalog>(std::move(catalog));
  return Open(db_path, [fixed] { return fixed; });
}

Result<std::unique_ptr<TemplateAdmin>> TemplateAdmin::Open(const std::string& db_path,
                                                           CatalogSource catalog) {
  ECOUTE_ASSIGN_OR_RETURN(std::unique_ptr<TemplateTables> tables, OpenTemplateTables(db_path));
  return std::unique_ptr<TemplateAdmin>(
      std::make_unique<StoredTemplates>(std::move(tables), std::move(catalog)));
}

}  // namespace ecoute
